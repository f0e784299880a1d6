"""Everything the three stores hold, as text: for the tests that search every table for a
secret (a code, a phone number, an identity) after a journey."""

from django.db import connections


def stores_text() -> str:
    """Every value of every row of every table of the three stores; bytes both as hex and as
    Latin-1 text."""
    chunks = []
    for alias in ("default", "authority", "urn"):
        conn = connections[alias]
        with conn.cursor() as cursor:
            for table in conn.introspection.table_names(cursor):
                cursor.execute(f"SELECT * FROM {conn.ops.quote_name(table)}")  # noqa: S608
                for row in cursor.fetchall():
                    for value in row:
                        if isinstance(value, bytes | memoryview):
                            raw = bytes(value)
                            chunks += [raw.hex(), raw.decode("latin-1")]
                        else:
                            chunks.append(str(value))
    return "\n".join(chunks)
