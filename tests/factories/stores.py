"""Everything the three stores hold, as text: for the tests that search every table for a
secret (a code, a phone number, an identity) after a journey."""

from pathlib import Path

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


def secret_forms(secret: str) -> set[str]:
    """The ways a secret could be written down: as typed, without "+" or dashes, in national
    form, and the hex of its UTF-8, GSM (same bytes for these characters) and UTF-16."""
    forms = {secret, secret.removeprefix("+"), secret.replace("-", "")}
    if secret.startswith("+33"):
        forms |= {"0" + secret[3:], secret[3:], " ".join([secret[:3], secret[3:]])}
    for form in list(forms):
        forms |= {form.encode().hex(), form.encode("utf-16-be").hex()}
    return forms


def files_text(folder: Path, since: float) -> str:
    chunks = []
    for path in folder.rglob("*") if folder.is_dir() else []:
        if path.is_file() and path.stat().st_mtime >= since:
            raw = path.read_bytes()
            chunks += [raw.decode("latin-1"), raw.hex()]
    return "\n".join(chunks)
