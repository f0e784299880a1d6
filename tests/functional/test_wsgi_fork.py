"""gunicorn loads the WSGI entry in its master and forks the workers (preload_app): the
entry must leave no database connection open, or every worker would share its socket
(statements interleaved, prepared statements colliding: found by `make bench-surge`)."""

import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
SECRETS = {
    "URNE_SECRET_KEY": "s" * 20 + "Kp4" * 15,
    "URNE_AUTHORITY_KEY": "a" * 20 + "Wx7" * 10,
    "URNE_ALLOWED_HOSTS": "elections.example.org",
    "URNE_TRUSTED_PROXIES": "10.0.0.0/24",
}
CODE = """
import django.core.management as m
import django
from django.conf import settings
django.setup()
for alias in settings.DATABASES:
    m.call_command("migrate", database=alias, verbosity=0)
from django.db import connections
connections.close_all()
from urne.site.wsgi import application
print("open:", sorted(c.alias for c in connections.all() if c.connection is not None))
"""


def test_the_wsgi_entry_leaves_no_connection_for_the_workers(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("URNE_", "DJANGO_"))}
    run = subprocess.run(
        [sys.executable, "-c", CODE],
        env={
            **clean,
            **SECRETS,
            "PYTHONPATH": str(SRC),
            "URNE_VAR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "urne.site.settings.prod",
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1] == "open: []"
