"""Rate limits: fixed windows counted in the voter store, every key of a request in one
statement (ADR 0335).

Django's cache would need a shared backend in production (the database cache there), whose
add/incr cost about five statements a key: measured at 5 CPU ms a cast for two keys. Here one
prepared upsert counts every key of a request and returns the counts; the table is UNLOGGED
on PostgreSQL (no WAL: a crash resets the counts, harmless for a rate limit). Keys are an
HMAC of the scope and the key under the secret key: the table never holds an id, an e-mail
or an address, and a plain hash of an address could be reversed by trying them all.
Every voter-facing form counts here (the cast, the vote-code check, the accounts' forms, the
portal's, the board's lookup).
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings
from django.db import connections, router

from .hot_sql import hot_cursor
from .models import RateCounter

#: Counters older than this are dropped by `rate_counters_purge` (every window is shorter).
KEEP_SECONDS = 86400


def _digest(scope: str, key: str) -> str:
    message = f"{scope}:{key}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]


def rate_counts(
    *, hits: dict[str, str], windows: dict[str, int], now: float | None = None
) -> dict[str, int]:
    """Count one request for each ``scope -> key`` of ``hits`` in the scope's current window
    of ``windows[scope]`` seconds; returns each scope's count in its window, this one
    included."""
    now = time.time() if now is None else now
    rows: dict[str, tuple[str, int]] = {}
    for scope, key in hits.items():
        window = windows[scope]
        digest = _digest(scope, key)
        rows[digest] = (scope, int(now) // window * window)
    table = RateCounter._meta.db_table
    params: list[object] = []
    for digest, (_scope, start) in rows.items():
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
    return {rows[digest][0]: int(count) for digest, count in counts}


def over_limit(
    *, hits: dict[str, str], limits: dict[str, tuple[int, int]], now: float | None = None
) -> bool:
    """Count one request for each ``scope -> key`` of ``hits``; True when any count is over
    its scope's ``(requests, seconds)`` in ``limits``."""
    counts = rate_counts(hits=hits, windows={s: limits[s][1] for s in hits}, now=now)
    return any(count > limits[scope][0] for scope, count in counts.items())


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
