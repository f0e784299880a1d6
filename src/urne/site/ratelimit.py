"""Rate limits: the one API every voter-facing form asks (ADR 0335).

Every limit is named in the one setting ``URNE_RATE_LIMITS`` (name -> (requests, seconds)),
and a caller asks one function, ``rate_limited(hits={name: key, ...})``, with the key the
limit is counted by: a client address (``client_address(request)``, the only reader of the
address), an identifier, an account or a voter. Every key of a request is counted in one
statement: the cast's voter and address together, on its hot path.

Fixed windows counted in the voter store. Django's cache would need a shared backend in
production (the database cache there), whose add/incr cost about five statements a key:
measured at 5 CPU ms a cast for two keys. Here one prepared upsert counts every key of a
request and returns the counts; the table is UNLOGGED on PostgreSQL (no WAL: a crash resets
the counts, harmless for a rate limit). Keys are an HMAC of the limit's name and the key
under the secret key: the table never holds an id, an e-mail or an address, and a plain hash
of an address could be reversed by trying them all.

Behind a reverse proxy, REMOTE_ADDR is the proxy's: ``X-Forwarded-For`` is read only when the
request comes from one of the proxies named in ``URNE_TRUSTED_PROXIES`` (addresses or
networks), and then only as far as the hops those proxies added; anything a client writes
in the header itself is ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import time
from collections.abc import Mapping
from functools import lru_cache

from django.conf import settings
from django.db import connections, router
from django.http import HttpRequest

from .hot_sql import hot_cursor
from .models import RateCounter

#: Counters older than this are dropped by `rate_counters_purge` (every window is shorter).
KEEP_SECONDS = 86400

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _digest(name: str, key: str) -> str:
    message = f"{name}:{key}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]


def rate_clock() -> float:
    """The limits' clock (the tests freeze it to put every request in one window)."""
    return time.time()


def rate_limited(*, hits: Mapping[str, str], now: float | None = None) -> bool:
    """Count one request under each named limit of ``hits`` (limit name -> the key it is
    counted by), all in one statement; True when any count is over its limit in the limit's
    current window (this request included)."""
    now = rate_clock() if now is None else now
    limits = settings.URNE_RATE_LIMITS
    rows: dict[str, tuple[str, int]] = {}
    for name, key in hits.items():
        window = limits[name][1]
        rows[_digest(name, key)] = (name, int(now) // window * window)
    table = RateCounter._meta.db_table
    params: list[object] = []
    for digest, (_name, start) in rows.items():
        params += [digest, start]
    with hot_cursor(router.db_for_write(RateCounter)) as cur:
        cur.execute(
            f"INSERT INTO {table} (key, window_start, count) "  # noqa: S608
            f"VALUES {', '.join(['(%s, %s, 1)'] * len(rows))} "
            f"ON CONFLICT (key) DO UPDATE SET count = CASE WHEN {table}.window_start = "
            f"excluded.window_start THEN {table}.count + 1 ELSE 1 END, "
            "window_start = excluded.window_start RETURNING key, count",
            params,
        )
        counts = cur.fetchall()
    return any(count > limits[rows[digest][0]][0] for digest, count in counts)


def rate_reached(*, name: str, key: str, now: float | None = None) -> bool:
    """Whether ``key`` has already used up the named limit in its current window, without
    counting a request: for a limit counted on outcomes (failures) and read before acting."""
    now = rate_clock() if now is None else now
    requests, window = settings.URNE_RATE_LIMITS[name]
    conn = connections[router.db_for_read(RateCounter)]
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT count FROM {RateCounter._meta.db_table} "  # noqa: S608
            "WHERE key = %s AND window_start = %s",
            [_digest(name, key), int(now) // window * window],
        )
        row = cur.fetchone()
    return row is not None and int(row[0]) >= requests


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, unless it is one of ``URNE_TRUSTED_PROXIES``; then
    ``X-Forwarded-For`` read from the right, past the trusted proxies' own hops, to the first
    address no trusted proxy has (the one the outermost trusted proxy saw). "unknown" when
    there is none."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = settings.URNE_TRUSTED_PROXIES
    if not proxies:
        return remote
    networks = _networks(tuple(proxies))
    address = remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        if not _trusted(address, networks):
            break
        hop = hop.strip()
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # not written by a proxy: stop at the last hop a proxy vouched for
        address = hop
    return address


def rate_counters_purge(*, older_than_seconds: int = KEEP_SECONDS, now: float | None = None) -> int:
    """Drop the counters whose window started more than ``older_than_seconds`` ago."""
    now = time.time() if now is None else now
    conn = connections[router.db_for_write(RateCounter)]
    with conn.cursor() as cur:
        cur.execute(
            f"DELETE FROM {RateCounter._meta.db_table} WHERE window_start < %s",  # noqa: S608
            [int(now) - older_than_seconds],
        )
        return int(cur.rowcount)
