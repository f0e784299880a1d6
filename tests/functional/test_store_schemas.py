"""The three stores (docs/architecture.md, "The three stores"): nothing in the urn identifies a
voter; nothing in the voter store holds a ballot or a credential. Checked on the schemas
(column names) and on the data after real casts (every text value of every table)."""

import json
import re

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from factories.accounts import voter_client_login
from factories.booth import ballot_make, cast_setup_make
from urne.crypto.ballot import parse_ballot
from urne.crypto.group import GROUP

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])

VOTER_IDENTIFYING = re.compile(
    r"voter|numen|name|email|mail|birth|phone|mobile|address|ip_|user|session|account|"
    r"civility|academie|departement|establishment|grade|corps",
    re.I,
)
BALLOT_OR_CREDENTIAL = re.compile(r"ballot|credential|vote_code|votecode|tracker", re.I)
# The only exception: a pending émargement holds the tracker until the ballot is in the urn
# (it is erased when the row is voted; checked on the data below).
VOTER_STORE_ALLOWED = {("booth_emargement", "pending_tracker")}
URN_COLUMNS = {
    "urn_urnscrutin": {
        "id", "uuid", "timestamp", "election_hash", "height", "last_event", "next_seq",
        "ballots", "tally", "ended", "count_seq", "frozen_at",
    },
    "urn_urnrecord": {"id", "scrutin_id", "seq", "kind", "hash", "body"},
    "urn_urnevent": {"id", "scrutin_id", "height", "hash", "parent", "type", "payload"},
    "urn_urnballot": {"id", "scrutin_id", "tracker", "credential", "height"},
}  # fmt: skip


def columns(alias):
    conn = connections[alias]
    with conn.cursor() as cursor:
        out = {}
        for table in conn.introspection.table_names(cursor):
            desc = conn.introspection.get_table_description(cursor, table)
            out[table] = [c.name for c in desc]
        return out


def test_no_urn_column_identifies_a_voter():
    urn = columns("urn")
    mine = {t: set(c) for t, c in urn.items() if t.startswith("urn_")}
    assert mine == URN_COLUMNS
    for table, cols in urn.items():
        if table.startswith("django_migrations"):
            continue
        for c in cols:
            assert not VOTER_IDENTIFYING.search(c), (table, c)


def test_no_voter_store_column_holds_a_ballot_or_a_credential():
    for table, cols in columns("default").items():
        for c in cols:
            if (table, c) in VOTER_STORE_ALLOWED:
                continue
            assert not BALLOT_OR_CREDENTIAL.search(c), (table, c)
        assert not table.startswith(("urn_", "authority_")), table


def dump(alias):
    """Every value of every table of a store, as text."""
    conn = connections[alias]
    chunks = []
    with conn.cursor() as cursor:
        for table in conn.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {conn.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                chunks.append(" ".join(str(v) for v in row))
    return "\n".join(chunks)


def test_after_real_casts_the_data_keeps_the_stores_apart():
    setup = cast_setup_make(voters=3, scrutins=2)
    trackers, publics, ballots = [], [], []
    for v in setup.voters:
        client = Client()
        voter_client_login(client, v)
        for cs in setup.scrutins:
            b = ballot_make(cs, v.pk, 1)
            r = client.post(
                reverse("booth:cast"),
                json.dumps({"scrutin": cs.scrutin.uuid, "ballot": b}),
                content_type="application/json",
            )
            assert r.status_code == 200
            parsed = parse_ballot(b)
            trackers.append(parsed.tracker)
            publics.append(GROUP.element_to_string(parsed.credential))
            ballots.append(parsed.signature_hash)
    voter_store = dump("default")
    for secret in trackers + publics + ballots:
        assert secret not in voter_store
    urn = dump("urn")
    assert all(t in urn for t in trackers)
    for v in setup.voters:
        for identity in (v.numen, v.email, v.last_name):
            assert identity not in urn
