"""System checks: production refuses to start with a placeholder secret (docs/architecture.md,
"How the code is written"); the rate limits and trusted proxies are well formed."""

import ipaddress
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


@register(Tags.security)
def rate_limits_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Every rate limit is a positive (requests, seconds) and every trusted proxy an address
    or a network: a typo is refused at start, not met as a 500 on a voter's request."""
    errors = []
    for name, limit in settings.URNE_RATE_LIMITS.items():
        if not (
            isinstance(limit, tuple | list)
            and len(limit) == 2
            and all(isinstance(n, int) and n > 0 for n in limit)
        ):
            errors.append(
                Error(f"URNE_RATE_LIMITS[{name!r}] is not (requests, seconds).", id="urne.E020")
            )
    for proxy in settings.URNE_TRUSTED_PROXIES:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            errors.append(
                Error(f"URNE_TRUSTED_PROXIES: {proxy!r} is not an address.", id="urne.E021")
            )
    return errors
