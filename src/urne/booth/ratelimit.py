"""Rate limits of the booth: the cast (ADR 0322) and the vote-code check, per voter and per
client address, counted by the platform's counter in one statement (ADR 0335)."""

from __future__ import annotations

from django.conf import settings

from urne.site.ratelimit import over_limit

#: scope -> (requests, seconds). Per voter: a voter casts a handful of ballots.
DEFAULT_LIMITS = {"cast_voter": (30, 300), "cast_address": (6000, 60)}
#: The vote-code check (``URNE_VOTECODE_RATE_LIMITS`` overrides).
VOTECODE_LIMITS = {"votecode_voter": (10, 300), "votecode_address": (300, 300)}


def cast_rate_limited(*, hits: dict[str, str], now: float | None = None) -> bool:
    """Count one cast request for each ``scope -> key`` of ``hits``; True when any of them is
    over its scope's limit in the current window (``URNE_CAST_RATE_LIMITS`` overrides)."""
    limits = {**DEFAULT_LIMITS, **getattr(settings, "URNE_CAST_RATE_LIMITS", {})}
    return over_limit(hits=hits, limits=limits, now=now)


def votecode_rate_limited(*, hits: dict[str, str], now: float | None = None) -> bool:
    """The same for a vote-code check (scopes ``votecode_voter``, ``votecode_address``)."""
    limits = {**VOTECODE_LIMITS, **getattr(settings, "URNE_VOTECODE_RATE_LIMITS", {})}
    return over_limit(hits=hits, limits=limits, now=now)
