"""Cursors for the few fixed statements of the hot paths (the cast, the voter session),
prepared once per connection on PostgreSQL (ADR 0334).

Django binds parameters on the client and turns psycopg's prepared statements off (for
connection poolers in transaction mode), so PostgreSQL parses and plans every statement
again. For the cast's reads (a six-table join for the cast context, the credential's join)
planning was most of the database's CPU: `bench/bench_cast.py --floor` measured the two
reads at 0.69 ms of PostgreSQL CPU planned each time, 0.21 ms prepared.

`hot_cursor` gives a cursor on the same connection, hence in the same transaction as the
ORM's, that binds server-side and prepares each statement; database errors are Django's,
as from any Django cursor. Elsewhere (SQLite), or with ``URNE_PREPARED_STATEMENTS = False``
(a pooler that cannot keep prepared statements: PgBouncer before 1.21 in transaction
mode), it is Django's own cursor.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connections

_ONLY_WHEN_ASKED = 2**62


class _PreparedCursor:
    """The part of a DB-API cursor the hot paths use, each statement prepared."""

    def __init__(self, wrapper: Any, cursor: Any) -> None:
        self._wrapper = wrapper
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        with self._wrapper.wrap_database_errors:
            self._cursor.execute(sql, params, prepare=True)

    def fetchone(self) -> Any:
        with self._wrapper.wrap_database_errors:
            return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        with self._wrapper.wrap_database_errors:
            return list(self._cursor.fetchall())

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)


@contextmanager
def hot_cursor(alias: str) -> Iterator[Any]:
    """A cursor on database ``alias`` whose statements are prepared (PostgreSQL)."""
    conn = connections[alias]
    if conn.vendor != "postgresql" or not getattr(settings, "URNE_PREPARED_STATEMENTS", True):
        with conn.cursor() as cur:
            yield cur
        return
    import psycopg

    conn.ensure_connection()
    raw = conn.connection
    if raw.prepare_threshold is None:
        # Django's "no prepared statements" would refuse ours too; a threshold never reached
        # keeps every other statement unprepared (Django's client-side cursors never prepare).
        raw.prepare_threshold = _ONLY_WHEN_ASKED
    with conn.wrap_database_errors, psycopg.Cursor(raw) as cur:
        yield _PreparedCursor(conn, cur)
