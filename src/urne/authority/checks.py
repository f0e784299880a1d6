"""Production refuses a placeholder authority key (the vote codes are derived from it)."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

from urne.site.checks import PLACEHOLDER_MARKERS

MIN_KEY_LENGTH = 32


@register(Tags.security)
def authority_key_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if settings.DEBUG or not getattr(settings, "URNE_REFUSE_PLACEHOLDER_SECRETS", False):
        return []
    key = str(getattr(settings, "URNE_AUTHORITY_KEY", ""))
    if len(key) < MIN_KEY_LENGTH or any(m in key.lower() for m in PLACEHOLDER_MARKERS):
        return [
            Error(
                "URNE_AUTHORITY_KEY is missing, too short or a placeholder.",
                hint=f"Set URNE_AUTHORITY_KEY to at least {MIN_KEY_LENGTH} random characters; "
                "every vote code is derived from it, keep it apart from the other secrets.",
                id="urne.E300",
            )
        ]
    return []
