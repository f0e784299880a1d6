"""Rate limits for the voter-facing forms (STYLE: every voter-facing form is rate-limited).

A fixed window counter per form and client (voter id when logged in, else the address),
counted by the platform's counter shared by every web process (ADR 0335): only hashes are
stored, no address in clear.
"""

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from urne.site.ratelimit import rate_counts

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
    # The counter keeps only a keyed hash of it (urne.site.ratelimit).
    return f"v{voter_id}" if voter_id else f"a{request.META.get('REMOTE_ADDR', '')}"


def rate_limit_hit(*, request: HttpRequest, form: str, voter_id: int | None = None) -> Verdict:
    """Count one attempt at `form`; refused once the window's budget is spent."""
    limits = {**DEFAULTS, **getattr(settings, "URNE_PORTAL_RATE_LIMITS", {})}
    attempts, seconds = limits[form]
    scope = f"portal:{form}"
    counts = rate_counts(hits={scope: _client_key(request, voter_id)}, windows={scope: seconds})
    return Verdict(allowed=counts[scope] <= attempts, retry_after=seconds)
