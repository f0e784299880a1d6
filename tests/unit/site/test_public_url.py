"""Every absolute link comes from one setting (``URNE_PUBLIC_URL``), and the demo sets it to
its own server, so that account mails and receipts point to the same address."""

import re
import subprocess
from pathlib import Path

from urne.site.public_url import public_url

ROOT = Path(__file__).resolve().parents[3]


def test_public_url_joins_the_setting_and_the_path(settings):
    settings.URNE_PUBLIC_URL = "https://vote.example.fr/"
    assert public_url("/tableau/u?q=a+b") == "https://vote.example.fr/tableau/u?q=a+b"
    settings.URNE_PUBLIC_URL = "https://vote.example.fr"
    assert public_url("compte/#t") == "https://vote.example.fr/compte/#t"


def test_make_demo_gives_every_process_the_demos_address():
    plan = subprocess.run(
        ["make", "-n", "--no-print-directory", "demo", "demo-count", "DEMO_PORT=8123"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for command in ("demo_setup", "runserver", "db_worker", "demo_count"):
        line = next(li for li in plan.splitlines() if command in li)
        assert re.search(r"URNE_PUBLIC_URL=http://127\.0\.0\.1:8123\b", line), line
