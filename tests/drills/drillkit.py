"""The drills' helpers: their private PostgreSQL clusters are pgcluster's (tests/pgcluster.py);
``child`` runs drill_child.py on a cluster."""

import json
import os
import subprocess
import sys
from pathlib import Path

from pgcluster import BINS, USER, Cluster, as_user, free_port, pg_bin

__all__ = ["BINS", "USER", "Cluster", "as_user", "child", "child_env", "free_port", "pg_bin"]

HERE = Path(__file__).parent
ROOT = HERE.parents[1]


def child_env(port: int) -> dict[str, str]:
    """The environment of a child on the cluster at ``port``: the test settings, the three
    stores as databases ``drill_*`` there."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("URNE_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="urne.site.settings.test",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT / "tests")]),
        URNE_DB="postgres",
        URNE_DB_HOST="127.0.0.1",
        URNE_DB_PORT=str(port),
        URNE_DB_USER="postgres",
        URNE_DB_PREFIX="drill",
    )
    return env


def child(port: int, *args: str) -> dict:
    run = subprocess.run(
        [sys.executable, str(HERE / "drill_child.py"), *args],
        env=child_env(port),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])
