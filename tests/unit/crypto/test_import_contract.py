"""The import contract (``make contracts``) names every Django app, so that a new app cannot
slip into the crypto core, the verifier or counting unnoticed."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_every_app_is_forbidden_to_the_pure_packages() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contract = config["tool"]["importlinter"]["contracts"][0]
    apps = {f"urne.{p.parent.name}" for p in (ROOT / "src/urne").glob("*/apps.py")}
    assert apps, "no Django app found"
    assert "django" in contract["forbidden_modules"]
    missing = apps - set(contract["forbidden_modules"])
    assert not missing, f"add {sorted(missing)} to the import contract in pyproject.toml"
    assert {"urne.crypto", "urne.verify", "urne.counting"} <= set(contract["source_modules"])
