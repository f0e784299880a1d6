"""`hot_cursor`: the hot paths' statements prepared on PostgreSQL (ADR 0334), in the ORM's
transaction, with Django's exceptions; Django's own cursor elsewhere."""

import django.db
import pytest
from django.db import connections, transaction

from urne.site.hot_sql import hot_cursor
from urne.urn.models import UrnScrutin

pytestmark = pytest.mark.django_db(databases=["default", "urn"])


def _prepared(alias: str) -> list[str]:
    with connections[alias].cursor() as cur:
        cur.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cur.fetchall()]


def test_statements_are_prepared_on_postgresql_only():
    with hot_cursor("urn") as cur:
        cur.execute("SELECT count(*) FROM urn_urnscrutin WHERE uuid = %s", ["x"])
        assert cur.fetchone() == (0,)
    if connections["urn"].vendor == "postgresql":
        assert any("urn_urnscrutin WHERE uuid = $1" in s for s in _prepared("urn"))
        # Django's own statements stay unprepared (its cursors bind on the client).
        UrnScrutin.objects.using("urn").filter(uuid="y").exists()
        assert not any('"urn_urnscrutin"' in s for s in _prepared("urn"))


def test_same_transaction_as_the_orm():
    with pytest.raises(RuntimeError), transaction.atomic(using="urn"):
        UrnScrutin.objects.using("urn").create(
            uuid="u1", timestamp=1, election_hash="h", tally="[]"
        )
        with hot_cursor("urn") as cur:
            cur.execute("UPDATE urn_urnscrutin SET ballots = 7 WHERE uuid = %s", ["u1"])
            assert cur.rowcount == 1
        raise RuntimeError  # rolls back both
    assert not UrnScrutin.objects.using("urn").filter(uuid="u1").exists()


def test_database_errors_are_djangos():
    UrnScrutin.objects.using("urn").create(uuid="u2", timestamp=1, election_hash="h", tally="[]")
    with (
        pytest.raises(django.db.IntegrityError),
        transaction.atomic(using="urn"),
        hot_cursor("urn") as cur,
    ):
        cur.execute(
            "INSERT INTO urn_urnscrutin (uuid, timestamp, election_hash, height, "
            "last_event, next_seq, ballots, tally, ended) "
            "VALUES (%s, 1, 'h', -1, '', 0, 0, '[]', false)",
            ["u2"],
        )
    # The connection is usable afterwards.
    assert UrnScrutin.objects.using("urn").filter(uuid="u2").count() == 1


def test_can_be_turned_off(settings):
    settings.URNE_PREPARED_STATEMENTS = False
    with hot_cursor("urn") as cur:
        cur.execute("SELECT count(*) FROM urn_urnscrutin WHERE height = %s", [41])
        assert cur.fetchone() == (0,)
    if connections["urn"].vendor == "postgresql":
        assert not any("height = $1" in s for s in _prepared("urn"))
