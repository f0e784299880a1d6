"""The DSFR's files are not in the repository (ADR 0241): `make dsfr` copies them from its
npm package into this app's static folder. A deployment that chose the theme without them
would serve pages without their style sheet: refused at start."""

from pathlib import Path
from typing import Any

from django.core.checks import Error, register

ASSETS = Path(__file__).resolve().parent / "static" / "theme_dsfr" / "dsfr"
REQUIRED = ("dsfr.min.css", "dsfr.module.min.js", "dsfr.nomodule.min.js", "fonts", "icons")


def assets_missing() -> list[str]:
    """The DSFR files the theme's templates load that `make dsfr` has not installed."""
    return [name for name in REQUIRED if not (ASSETS / name).exists()]


@register()
def dsfr_assets_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    missing = assets_missing()
    if not missing:
        return []
    return [
        Error(
            "URNE_THEME=dsfr, but the DSFR's files are missing: " + ", ".join(missing) + ".",
            hint="Run `make dsfr` (it installs @gouvfr/dsfr once its terms of use are "
            "accepted, see docs/deployment.md), then collectstatic.",
            id="urne.E700",
        )
    ]
