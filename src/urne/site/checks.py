"""System checks: production refuses to start with a placeholder secret (docs/architecture.md,
"How the code is written"); the rate limits and trusted proxies are well formed, and a server
behind a proxy names it. They run under `manage.py` and at the WSGI entry
(`serving_refusals`, asked by `urne.site.wsgi`): the server gunicorn starts never serves
with an error here."""

import ipaddress
import os
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register, run_checks

PLACEHOLDER_MARKERS = ("placeholder", "not-secret", "not-a-secret", "changeme", "insecure")
MIN_SECRET_LENGTH = 50


@register(Tags.security, deploy=False)
def secret_key_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if not _refusing():
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


def _refusing() -> bool:
    return not settings.DEBUG and getattr(settings, "URNE_REFUSE_PLACEHOLDER_SECRETS", False)


@register(Tags.security, deploy=False)
def environment_placeholders_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """No setting read from the environment may still hold a placeholder of the example
    file (deploy/urne.env.example writes "changeme" in every value to fill): a database
    password, an SMTP or SMPP password or an address left as in the example stops the server
    as a placeholder secret does; and the public host names must be set, or Django would
    refuse every request of a server that looked started."""
    if not _refusing():
        return []
    errors = [
        Error(
            f"{name} is still a placeholder.",
            hint='Set it in the environment file (docs/deployment.md, "The environment").',
            id="urne.E002",
        )
        for name, value in sorted(os.environ.items())
        if name.startswith("URNE_") and any(m in value.lower() for m in PLACEHOLDER_MARKERS)
    ]
    if not settings.ALLOWED_HOSTS:
        errors.append(
            Error(
                "URNE_ALLOWED_HOSTS is empty: every request would be refused.",
                hint="Set URNE_ALLOWED_HOSTS to the public host names, comma-separated.",
                id="urne.E003",
            )
        )
    return errors


@register(Tags.security, deploy=False)
def bench_hook_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """The benchmark's CAPTCHA hook (URNE_BENCH_CAPTCHA_ANSWERS: every image's answer in a
    header, ADR 0581) would hand any robot the CAPTCHA: a production server never serves
    with it. The benchmark's own settings silence this error by its id, and say so."""
    if _refusing() and getattr(settings, "URNE_BENCH_CAPTCHA_ANSWERS", False):
        return [
            Error(
                "URNE_BENCH_CAPTCHA_ANSWERS is on: every CAPTCHA's answer would be sent "
                "with its image.",
                hint="It is for the benchmark's settings only (bench/surge); remove it.",
                id="urne.E004",
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


@register(Tags.security)
def trusted_proxies_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Behind a reverse proxy, REMOTE_ADDR is the proxy's: unless URNE_TRUSTED_PROXIES names
    it, `client_address` is the proxy's for every request and each per-address limit is
    shared by every client at once (the whole country locked out by a few)."""
    if getattr(settings, "URNE_BEHIND_PROXY", False) and not settings.URNE_TRUSTED_PROXIES:
        return [
            Error(
                "URNE_TRUSTED_PROXIES is empty behind a reverse proxy: every client would "
                "have the proxy's address.",
                hint="Set URNE_TRUSTED_PROXIES to the proxy's addresses or networks, or "
                "URNE_BEHIND_PROXY=0 if this server faces the clients itself.",
                id="urne.E022",
            )
        ]
    return []


def serving_refusals() -> list[CheckMessage]:
    """The system checks' errors (those `manage.py check` stops on, deployment checks left to
    `check --deploy`): the WSGI entry refuses to serve while there is one."""
    return [m for m in run_checks() if m.is_serious() and not m.is_silenced()]
