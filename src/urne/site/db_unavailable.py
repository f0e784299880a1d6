"""A database that cannot be reached is a 503, never a 500 (ADR 0585).

When a store's server stops, restarts or fails over, every request that touches it raises
Django's ``OperationalError`` or ``InterfaceError`` (connection refused, server closed the
connection, connection already closed). The answer is the same wherever it was raised:

- the page ``503.html`` (the theme's frame, in the request's language, rendered without the
  request's context: no session, no user, no database) with ``Retry-After``, or, for a
  ``json_endpoint`` view (the cast), ``{"code": "unavailable", "message": …}`` with 503;
- one log line (the error's class and the path), never a traceback: an outage makes one per
  request, and none of them is a bug;
- the worker's connection is dropped (Django closes an unusable connection at the end of
  the request; ``CONN_HEALTH_CHECKS`` checks a kept one before its first use in the next),
  so the next request connects again by itself once the server is back.

Raised in a view (or its template): ``DatabaseUnavailableMiddleware.process_exception``.
Raised in a middleware (the session saved in a response phase): ``server_error``, the site's
``handler500``, which answers the same and leaves every other error to Django's 500 page.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.urls import Resolver404, resolve
from django.utils.translation import gettext
from django.views import defaults

log = logging.getLogger(__name__)

#: Seconds the answer asks a client to wait before trying again: a restart takes seconds,
#: a failover under a minute (docs/operations.md).
RETRY_AFTER_SECONDS = 30
DATABASE_DOWN = (OperationalError, InterfaceError)


def is_database_down(error: BaseException | None) -> bool:
    return isinstance(error, DATABASE_DOWN)


def unavailable_response(request: HttpRequest, error: BaseException) -> HttpResponse:
    """The 503 answer to ``request`` whose database access raised ``error``."""
    log.warning("database unavailable (%s) on %s", type(error).__name__, request.path)
    response: HttpResponse
    if _json_endpoint(request):
        message = gettext(
            "Le service est momentanément indisponible. Réessayez dans un instant : "
            "rien n'a été compté deux fois."
        )
        response = JsonResponse({"code": "unavailable", "message": message}, status=503)
    else:
        # Like Django's 500 page: no request context (its processors read the session).
        body = loader.get_template("503.html").render()
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _json_endpoint(request: HttpRequest) -> bool:
    """Whether the request is for a ``json_endpoint`` view (urne.site.parsing); resolved
    here when the error came before the URL was (a middleware's request phase)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
    return bool(getattr(match.func, "json_refusals", False))


class DatabaseUnavailableMiddleware:
    """Answers 503 for a view whose database cannot be reached."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_down(exception):
            return unavailable_response(request, exception)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """The site's ``handler500``: the 503 answer when the error is the database's, else
    Django's own 500 page (``500.html``)."""
    error = sys.exc_info()[1]
    if error is not None and is_database_down(error):
        return unavailable_response(request, error)
    return defaults.server_error(request)
