"""Rate limits for the voter-facing forms (STYLE: every voter-facing form is rate-limited).

A fixed window counter in Django's cache, keyed by the form and a hash of the client
(voter id when logged in, else the address): no address is stored or logged in clear.
With several app servers the cache must be shared (ARCHITECTURE: Redis when measured).
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

# Form name -> (attempts, seconds). A deployment overrides with URNE_PORTAL_RATE_LIMITS.
DEFAULTS: dict[str, tuple[int, int]] = {
    "assistance": (5, 3600),
    "complaint": (5, 3600),
    "roll_search": (120, 60),
}


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int


def _client_key(request: HttpRequest, voter_id: int | None) -> str:
    who = f"v{voter_id}" if voter_id else f"a{request.META.get('REMOTE_ADDR', '')}"
    return hashlib.sha256(f"{settings.SECRET_KEY}|{who}".encode()).hexdigest()[:32]


def rate_limit_hit(*, request: HttpRequest, form: str, voter_id: int | None = None) -> Verdict:
    """Count one attempt at `form`; refused once the window's budget is spent."""
    limits = {**DEFAULTS, **getattr(settings, "URNE_PORTAL_RATE_LIMITS", {})}
    attempts, seconds = limits[form]
    key = f"urne:rl:{form}:{_client_key(request, voter_id)}"
    cache.add(key, 0, timeout=seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds)
        count = 1
    return Verdict(allowed=count <= attempts, retry_after=seconds)
