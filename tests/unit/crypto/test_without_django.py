"""An auditor runs urne-verify, urne-trustee and urne-simulate without Django installed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data"
VECTOR = DATA / "belenios-3.0-ed25519-threshold/2qCRiBYzoKRuwp.bel"

# Make "import django" fail in the child, as on a machine where only `pip install urne` ran.
NO_DJANGO = "import sys; sys.modules['django'] = None; "


def run(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "-c", NO_DJANGO + code, *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def test_verify_runs_without_django() -> None:
    done = run("from urne.verify.cli import main; sys.exit(main(sys.argv[1:]))", str(VECTOR))
    assert done.returncode == 0, done.stderr
    assert "valid (30 ballots" in done.stdout


def test_simulate_and_trustee_run_without_django(tmp_path: Path) -> None:
    done = run(
        "from urne.simulate import main; sys.exit(main(sys.argv[1:]))",
        "--voters",
        "3",
        "--lists",
        "2",
        "--seed",
        "nodjango",
        "--out",
        str(tmp_path),
        "--jobs",
        "1",
    )
    assert done.returncode == 0, done.stderr
    done = run(
        "from urne.trustee_cli import main; sys.exit(main(sys.argv[1:]))",
        "generate-key",
        "--dir",
        str(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    assert len(list(tmp_path.glob("*.privkey"))) == 1
