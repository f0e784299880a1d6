"""Django's database sessions, read with one plain statement (ADR 0330).

The same table, rows, expiry and signed encoding as ``django.contrib.sessions.backends.db``
(writes are Django's); only the read skips the ORM's query building, which cost more CPU than
the lookup on every request of a voter (the cast above all). ``SESSION_ENGINE`` names this
module.
"""

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.db import connections, router
from django.utils import timezone


class SessionStore(DbSessionStore):
    def load(self) -> dict[str, Any]:
        key = self.session_key  # None when absent or not a valid key
        if key is None:
            return {}
        model = self.model
        conn = connections[router.db_for_read(model)]
        with conn.cursor() as cur:
            cur.execute(
                f"SELECT session_data FROM {model._meta.db_table} "  # noqa: S608
                "WHERE session_key = %s AND expire_date > %s",
                [key, conn.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cur.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])  # type: ignore[no-any-return]
