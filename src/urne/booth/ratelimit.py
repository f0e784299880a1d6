"""Rate limits of the booth (the cast, ADR 0322; the vote-code check): fixed windows per
voter and per client address, counted in the voter store with one statement for both
(ADR 0335).

Production's shared Django cache is the database cache, whose add/incr of two keys cost
about ten statements (5 CPU ms a cast, measured by ``make bench-cast``): as much as the rest
of the cast's database work. Here one upsert counts every key of a request and returns the
counts; the table is UNLOGGED on PostgreSQL (no WAL, a crash resets the counts). Keys are
hashed: the table never holds an account id or an address in clear.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.db import connections, router

from urne.site.hot_sql import hot_cursor

from .models import RateCounter

#: scope -> (requests, seconds). Per voter: a voter casts a handful of ballots.
DEFAULT_LIMITS = {"cast_voter": (30, 300), "cast_address": (6000, 60)}
#: The vote-code check (``URNE_VOTECODE_RATE_LIMITS`` overrides).
VOTECODE_LIMITS = {"votecode_voter": (10, 300), "votecode_address": (300, 300)}


def _digest(scope: str, key: str) -> str:
    return hashlib.sha256(f"booth:{scope}:{key}".encode()).hexdigest()[:32]


def cast_rate_limited(*, hits: dict[str, str], now: float | None = None) -> bool:
    """Count one cast request for each ``scope -> key`` of ``hits``; True when any of them is
    over its scope's limit in the current window."""
    limits = {**DEFAULT_LIMITS, **getattr(settings, "URNE_CAST_RATE_LIMITS", {})}
    return rate_limited(hits=hits, limits=limits, now=now)


def votecode_rate_limited(*, hits: dict[str, str], now: float | None = None) -> bool:
    """The same for a vote-code check (scopes ``votecode_voter``, ``votecode_address``)."""
    limits = {**VOTECODE_LIMITS, **getattr(settings, "URNE_VOTECODE_RATE_LIMITS", {})}
    return rate_limited(hits=hits, limits=limits, now=now)


def rate_limited(
    *, hits: dict[str, str], limits: dict[str, tuple[int, int]], now: float | None = None
) -> bool:
    """Count one request for each ``scope -> key`` of ``hits`` in one statement; True when any
    count is over its scope's ``(requests, seconds)`` in ``limits``."""
    now = time.time() if now is None else now
    rows: dict[str, tuple[str, int]] = {}
    for scope, key in hits.items():
        window = limits[scope][1]
        rows[_digest(scope, key)] = (scope, int(now) // window * window)
    table = RateCounter._meta.db_table
    values = ", ".join(["(%s, %s, 1)"] * len(rows))
    params: list[object] = []
    for digest, (_scope, start) in rows.items():
        params += [digest, start]
    alias = router.db_for_write(RateCounter)
    with hot_cursor(alias) as cur:
        cur.execute(
            f"INSERT INTO {table} (key, window_start, count) VALUES {values} "  # noqa: S608
            f"ON CONFLICT (key) DO UPDATE SET count = CASE WHEN {table}.window_start = "
            f"excluded.window_start THEN {table}.count + 1 ELSE 1 END, "
            "window_start = excluded.window_start RETURNING key, count",
            params,
        )
        counts = cur.fetchall()
    return any(count > limits[rows[digest][0]][0] for digest, count in counts)


def rate_counters_purge(*, older_than_seconds: int = 86400, now: float | None = None) -> int:
    """Drop the counters whose window started more than ``older_than_seconds`` ago (every
    limit's window is shorter): run with the booth's scheduled recovery."""
    now = time.time() if now is None else now
    conn = connections[router.db_for_write(RateCounter)]
    with conn.cursor() as cur:
        cur.execute(
            f"DELETE FROM {RateCounter._meta.db_table} WHERE window_start < %s",  # noqa: S608
            [int(now) - older_than_seconds],
        )
        return int(cur.rowcount)
