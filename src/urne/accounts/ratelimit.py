"""Rate limits for the voter-facing forms (ADR 0203): fixed windows counted in Django's cache,
per client address and per identifier. Production needs a cache shared by every web process
(`CACHES`), otherwise each process counts on its own.
"""

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_address(request: HttpRequest) -> str:
    # Behind the reverse proxy, REMOTE_ADDR is set from the trusted X-Forwarded-For by the
    # proxy middleware of the deployment; here we only read REMOTE_ADDR.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_limit_hit(*, scope: str, key: str) -> bool:
    """Count one request of `scope` for `key`; True when it is over the limit.
    The key is hashed so the cache never holds an address or an e-mail in clear."""
    limit, window = settings.URNE_RATE_LIMITS[scope]
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()[:32]
    cache_key = f"urne:rl:{digest}"
    if cache.add(cache_key, 1, timeout=window):
        return limit < 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window)
        count = 1
    return count > limit


def rate_limited_response(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/rate_limited.html", status=429)


def rate_limited(
    scope: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Refuse POSTs over the per-address limit of `scope` with a 429 page."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST" and rate_limit_hit(
                scope=scope, key="ip:" + client_address(request)
            ):
                return rate_limited_response(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
