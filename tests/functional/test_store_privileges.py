"""Least privilege in the stores (ADR 0570, urne.site.store_privileges): each store's runtime
role, made by `manage.py store_grants` on the test databases, is refused everything the code
never does (each refusal below is PostgreSQL's "permission denied"), and the code's own paths
(login, cast, receipt, code replacement, the recovery sweep) work when the application
connects with those roles only. PostgreSQL only: SQLite has no roles."""

import json
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.urls import reverse

from factories.accounts import mail_clear, voter_client_login
from factories.booth import ballot_make, cast_setup_make
from factories.elections import staff_make
from urne.authority.models import CodeSlot
from urne.authority.services import credentials_replace
from urne.booth.models import Emargement
from urne.urn.models import UrnBallot

STORES = ("default", "authority", "urn")
pytestmark = [
    pytest.mark.django_db(databases=list(STORES), transaction=True),
    pytest.mark.skipif(
        connections["default"].vendor != "postgresql", reason="roles are PostgreSQL's"
    ),
]


def _role(alias: str) -> str:
    return f"{connections[alias].settings_dict['NAME']}_app"[:63]


@pytest.fixture
def roles() -> Iterator[dict[str, str]]:
    made = {alias: _role(alias) for alias in STORES}
    for alias, role in made.items():
        call_command("store_grants", database=alias, role=role, create_role=True, verbosity=0)
    yield made
    for alias, role in made.items():
        with connections[alias].cursor() as cur:
            cur.execute(f'DROP OWNED BY "{role}"')  # its grants in this store's database
    with connections["default"].cursor() as cur:
        for role in made.values():
            cur.execute(f'DROP ROLE IF EXISTS "{role}"')


def _connect(alias: str, role: str, of: str | None = None) -> psycopg.Connection[Any]:
    """A connection as ``role`` to the database of store ``of`` (default: its own)."""
    s = connections[of or alias].settings_dict
    return psycopg.connect(
        host=s["HOST"], port=s["PORT"], user=role, dbname=s["NAME"], autocommit=True
    )


def _refused(conn: psycopg.Connection[Any], statement: str) -> bool:
    try:
        conn.execute(statement)
    except psycopg.errors.InsufficientPrivilege:
        return True
    return False


# Each statement touches no row (WHERE false): PostgreSQL checks the privilege all the same.
URN_REFUSED = [
    "UPDATE urn_urnballot SET height = height WHERE false",
    "DELETE FROM urn_urnballot WHERE false",
    "UPDATE urn_urnevent SET hash = hash WHERE false",
    "DELETE FROM urn_urnevent WHERE false",
    "UPDATE urn_urnrecord SET body = body WHERE false",
    "DELETE FROM urn_urnrecord WHERE false",
    "DELETE FROM urn_urnscrutin WHERE false",
    "TRUNCATE urn_urnballot",
    "DROP TABLE urn_urnballot",
    "ALTER TABLE urn_urnevent DISABLE TRIGGER ALL",
]
URN_ALLOWED = [
    "SELECT count(*) FROM urn_urnballot",
    "INSERT INTO urn_urnballot (scrutin_id, tracker, credential, height) "
    "SELECT 1, 't', 'c', 0 WHERE false",
    "INSERT INTO urn_urnevent (scrutin_id, height, hash, parent, type, payload) "
    "SELECT 1, 0, 'h', '', 'Ballot', '' WHERE false",
    "UPDATE urn_urnscrutin SET height = height WHERE false",
]
AUTHORITY_REFUSED = [
    "UPDATE authority_publiccredential SET credential = credential WHERE false",
    "UPDATE authority_codeslot SET voter_id = voter_id WHERE false",
    "UPDATE authority_codeslot SET election_id = election_id WHERE false",
    "UPDATE authority_scrutinsetup SET credentials = credentials WHERE false",
    "DELETE FROM authority_scrutinsetup WHERE false",
    "DELETE FROM authority_credentialset WHERE false",
    "TRUNCATE authority_codeslot",
]
AUTHORITY_ALLOWED = [
    "SELECT count(*) FROM authority_publiccredential",
    "UPDATE authority_codeslot SET status = status, changed_at = changed_at WHERE false",
]
VOTERS_REFUSED = [
    "UPDATE audit_auditevent SET action = action WHERE false",
    "DELETE FROM audit_auditevent WHERE false",
    "DELETE FROM django_admin_log WHERE false",
    "UPDATE django_content_type SET model = model WHERE false",
    "INSERT INTO auth_permission (name, content_type_id, codename) SELECT 'x', 1, 'x' WHERE false",
    "TRUNCATE elections_voter",
    "SELECT count(*) FROM django_migrations",
]
VOTERS_ALLOWED = [
    "SELECT count(*) FROM elections_voter",
    "UPDATE booth_emargement SET state = state WHERE false",
    "INSERT INTO audit_auditevent SELECT * FROM audit_auditevent WHERE false",
]


@pytest.mark.parametrize(
    "alias, refused, allowed",
    [
        ("urn", URN_REFUSED, URN_ALLOWED),
        ("authority", AUTHORITY_REFUSED, AUTHORITY_ALLOWED),
        ("default", VOTERS_REFUSED, VOTERS_ALLOWED),
    ],
)
def test_each_store_role_is_refused_what_the_code_never_does(roles, alias, refused, allowed):
    with _connect(alias, roles[alias]) as conn:
        assert [s for s in refused if not _refused(conn, s)] == []
        for statement in allowed:
            conn.execute(statement)


def test_a_store_role_reads_nothing_of_another_store(roles):
    """On one server (as here) each role may connect to the other databases (PostgreSQL
    grants CONNECT to every role by default) but reads none of their tables."""
    with _connect("urn", roles["urn"], of="default") as conn:
        assert _refused(conn, "SELECT count(*) FROM elections_voter")
        assert _refused(conn, "SELECT count(*) FROM booth_emargement")
    with _connect("default", roles["default"], of="urn") as conn:
        assert _refused(conn, "SELECT count(*) FROM urn_urnballot")
    with _connect("default", roles["default"], of="authority") as conn:
        assert _refused(conn, "SELECT count(*) FROM authority_publiccredential")


@pytest.fixture
def as_roles(roles: dict[str, str]) -> Iterator[None]:
    """The application connects to each store with its runtime role only."""
    saved = {}
    for alias in STORES:
        connections[alias].close()
        saved[alias] = connections[alias].settings_dict["USER"]
        connections[alias].settings_dict["USER"] = roles[alias]
    yield
    for alias in STORES:
        connections[alias].close()
        connections[alias].settings_dict["USER"] = saved[alias]


@pytest.fixture
def world() -> Any:
    """Made by the test's own (owner) connections, as the deployment's steps write the
    setup: the application's roles come after."""
    mail_clear()
    made = cast_setup_make(voters=2, lists=3, scrutins=1)
    yield made, staff_make(None)
    mail_clear()


def test_the_code_works_with_the_store_roles(world, as_roles):
    world, actor = world
    voter, cs = world.voters[0], world.scrutins[0]
    client = Client()
    voter_client_login(client, voter)
    body = json.dumps({"scrutin": cs.scrutin.uuid, "ballot": ballot_make(cs, voter.pk, 1)})
    r = client.post(reverse("booth:cast"), body, content_type="application/json")
    assert r.status_code == 200, r.content
    assert UrnBallot.objects.using("urn").count() == 1
    assert Emargement.objects.get(voter=voter).state == "voted"
    # A replacement: the only change of a code slot, its status.
    slot = credentials_replace(voter=world.voters[1], actor=actor, reason="notice perdue")
    assert slot.status == CodeSlot.Status.ACTIVE and slot.index == 1
    call_command("cast_recover", verbosity=0)
