"""Rate limits of the cast: fixed windows counted in Django's cache, per voter and per client
address (ADR 0322). Keys are hashed: the cache never holds an id or an address in clear."""

import hashlib

from django.conf import settings
from django.core.cache import cache

#: scope -> (requests, seconds). Per voter: a voter casts a handful of ballots.
DEFAULT_LIMITS = {"cast_voter": (30, 300), "cast_address": (6000, 60)}


def cast_rate_limited(*, scope: str, key: str) -> bool:
    """Count one cast request of ``scope`` for ``key``; True when over the limit."""
    limits = {**DEFAULT_LIMITS, **getattr(settings, "URNE_CAST_RATE_LIMITS", {})}
    limit, window = limits[scope]
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()[:32]
    cache_key = f"urne:cast:{digest}"
    if cache.add(cache_key, 1, timeout=window):
        return limit < 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window)
        count = 1
    return count > limit
