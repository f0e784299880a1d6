"""Rate limits for the voter-facing forms (ADR 0203): fixed windows per client address and
per identifier, counted by the platform's counter shared by every web process (ADR 0335).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from urne.site.ratelimit import over_limit


def client_address(request: HttpRequest) -> str:
    # Behind the reverse proxy, REMOTE_ADDR is set from the trusted X-Forwarded-For by the
    # proxy middleware of the deployment; here we only read REMOTE_ADDR.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_limit_hit(*, scope: str, key: str) -> bool:
    """Count one request of `scope` for `key`; True when it is over the limit. Counted by the
    platform's counter (ADR 0335), which keeps only a hash of the scope and the key."""
    limit, window = settings.URNE_RATE_LIMITS[scope]
    name = f"accounts:{scope}"
    return over_limit(hits={name: key}, limits={name: (limit, window)})


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
