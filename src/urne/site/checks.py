"""System checks: production refuses to start with a placeholder secret (docs/architecture.md,
"How the code is written")."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

PLACEHOLDER_MARKERS = ("placeholder", "not-secret", "not-a-secret", "changeme", "insecure")
MIN_SECRET_LENGTH = 50


@register(Tags.security, deploy=False)
def secret_key_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if settings.DEBUG or not getattr(settings, "URNE_REFUSE_PLACEHOLDER_SECRETS", False):
        return []
    key = str(settings.SECRET_KEY)
    if len(key) < MIN_SECRET_LENGTH or any(m in key.lower() for m in PLACEHOLDER_MARKERS):
        return [
            Error(
                "URNE_SECRET_KEY is missing, too short or a placeholder.",
                hint=f"Set URNE_SECRET_KEY to at least {MIN_SECRET_LENGTH} random characters.",
                id="urne.E001",
            )
        ]
    return []
