"""Django's database sessions, read with one plain statement (ADR 0330).

The same table, rows, expiry and signed encoding as ``django.contrib.sessions.backends.db``
(creation is Django's); the read and the update of an existing row skip the ORM's query
building and the update its BEGIN/COMMIT (one statement is atomic), which cost more CPU than
the work on every request of a voter (the cast above all). ``SESSION_ENGINE`` names this
module.
"""

from typing import Any

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.db import connections, router
from django.utils import timezone

from urne.site.hot_sql import hot_cursor


class SessionStore(DbSessionStore):
    def load(self) -> dict[str, Any]:
        key = self.session_key  # None when absent or not a valid key
        if key is None:
            return {}
        model = self.model
        alias = router.db_for_read(model)
        conn = connections[alias]
        with hot_cursor(alias) as cur:
            cur.execute(
                f"SELECT session_data FROM {model._meta.db_table} "  # noqa: S608
                "WHERE session_key = %s AND expire_date > %s",
                [key, conn.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cur.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])

    def save(self, must_create: bool = False) -> None:
        if must_create or self.session_key is None:
            super().save(must_create=must_create)
            return
        # Django's update of an existing row, as one statement; no row (deleted meanwhile,
        # e.g. a logout elsewhere) is Django's UpdateError, as with the ORM's forced update.
        # SessionBase._get_session: Django's own loader, absent from the stubs.
        data = self._get_session(no_load=False)  # type: ignore[attr-defined]
        model = self.model
        alias = router.db_for_write(model)
        conn = connections[alias]
        with hot_cursor(alias) as cur:
            cur.execute(
                f"UPDATE {model._meta.db_table} SET session_data = %s, expire_date = %s "  # noqa: S608
                "WHERE session_key = %s",
                [
                    self.encode(data),
                    conn.ops.adapt_datetimefield_value(self.get_expiry_date()),
                    self.session_key,
                ],
            )
            if cur.rowcount != 1:
                raise UpdateError
