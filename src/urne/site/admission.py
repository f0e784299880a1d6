"""Admission control (ADR 0580): on opening morning the platform admits new journeys at the
rate it can carry and tells the others, at once, when to come back, instead of letting every
request slow down until all of them time out (2018: the portal slowed to a halt minutes after
the opening).

A *journey* is a voter's visit: it begins at the door of the accounts (the login, an e-mailed
link, the activation and the reset pages, under ``compte/``) and lives in the session cookie.
The rule, one place:

- a request that carries a live session (any key in it) is *in a journey* and always passes:
  a voter who logged in, or who was shown the login page, finishes what they began;
- a new arrival at the door takes one token of this web process's bucket, refilled at
  ``URNE_ADMISSION_PER_MINUTE`` tokens a minute (0: no limit), with a burst of five seconds'
  worth; admitted, it gets a session at once (so that its next request is in a journey and
  nothing is left half-done), otherwise the waiting page: 503, ``Retry-After`` (about
  ``URNE_ADMISSION_RETRY_AFTER`` seconds, spread up to twice that so that the refused do not
  come back all at once), in the visitor's language, in the site's frame;
- the rest of the site (public pages, the board, the back office, the probes) is never held.

The bucket is made when the middleware is, in gunicorn's master before it forks the workers
(``preload_app``), in shared memory: the limit is per server (one gunicorn and its workers),
whatever worker accepts each connection; the platform's rate is it times the number of
servers (docs/deployment.md; `make bench-surge` measures the capacity it is set from). A
process that is not forked from a master (``runserver``) has its own. A refusal costs no
database query.
"""

import multiprocessing
import random
import re
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

ADMITTED_KEY = "urne_admitted"
BURST_SECONDS = 5.0


class TokenBucket:
    """``rate`` tokens a second, at most ``capacity`` kept. Its state lives in shared memory
    with a process-shared lock: made in gunicorn's master before the fork (``preload_app``:
    the middleware is built there), one bucket serves every worker of the server, whatever
    worker accepts the connection; it is thread-safe as well (gthread workers)."""

    def __init__(self, rate: float, capacity: float, clock: Callable[[], float] = time.monotonic):
        self.rate, self.capacity, self.clock = rate, capacity, clock
        self.state = multiprocessing.RawArray("d", [capacity, clock()])  # tokens, at
        self.lock = multiprocessing.Lock()

    def take(self) -> bool:
        with self.lock:
            tokens, at = self.state
            now = self.clock()
            tokens = min(self.capacity, tokens + (now - at) * self.rate)
            admitted = tokens >= 1.0
            self.state[0], self.state[1] = tokens - 1.0 if admitted else tokens, now
            return admitted


_buckets: dict[int, TokenBucket] = {}
_buckets_lock = threading.Lock()


def _bucket(per_minute: int) -> TokenBucket:
    with _buckets_lock:
        bucket = _buckets.get(per_minute)
        if bucket is None:
            rate = per_minute / 60.0
            bucket = _buckets[per_minute] = TokenBucket(rate, max(1.0, rate * BURST_SECONDS))
        return bucket


def admission_reset() -> None:
    """Forget every bucket (tests; a process starts with full buckets)."""
    with _buckets_lock:
        _buckets.clear()


def _door() -> re.Pattern[str]:
    languages = "|".join(re.escape(code) for code, _ in settings.LANGUAGES)
    return re.compile(rf"^/(?:(?:{languages})/)?compte/")


def journey_door(path: str) -> bool:
    """Does a journey begin at this path (the accounts' pages, in any language)?"""
    return bool(_door().match(path))


def in_journey(request: HttpRequest) -> bool:
    """The request carries a live session (read once; the view reuses it)."""
    return bool(request.session.keys())


def waiting_page(request: HttpRequest) -> HttpResponse:
    base = int(settings.URNE_ADMISSION_RETRY_AFTER)
    retry = random.randint(base, 2 * base)  # noqa: S311 - spreading retries, not a secret
    response = render(request, "theme/waiting.html", {"retry_after": retry}, status=503)
    response["Retry-After"] = str(retry)
    response["Cache-Control"] = "no-store"
    return response


class AdmissionMiddleware:
    """After the session and the language: admits or holds new arrivals at the door."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        if int(settings.URNE_ADMISSION_PER_MINUTE) > 0:
            _bucket(int(settings.URNE_ADMISSION_PER_MINUTE))  # now: in the master, before the fork

    def __call__(self, request: HttpRequest) -> HttpResponse:
        per_minute = int(settings.URNE_ADMISSION_PER_MINUTE)
        if per_minute > 0 and journey_door(request.path_info) and not in_journey(request):
            if not _bucket(per_minute).take():
                return waiting_page(request)
            request.session[ADMITTED_KEY] = int(time.time())
        return self.get_response(request)
