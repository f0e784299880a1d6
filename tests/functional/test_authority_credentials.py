"""The credential authority: generation, the contract with the booth (credential_status,
credentials_confirm), replacement and revocation, and no code in clear in its store."""

import pytest
from django.core.exceptions import ValidationError

from factories.elections import election_make, scrutin_make, staff_make, voter_make
from urne.audit.models import AuditEvent
from urne.authority import codes, selectors, services
from urne.authority.models import CodeSlot, PublicCredential

pytestmark = pytest.mark.django_db(databases=["default", "authority"])


@pytest.fixture
def world():
    election = election_make()
    national = scrutin_make(election, "CTM", titular_seats=2, substitute_seats=2)
    academic = scrutin_make(election, "CTA", "Lyon", titular_seats=2, substitute_seats=2)
    voters = [voter_make(election) for _ in range(3)]
    manager = staff_make("manager")
    cset = services.credentials_generate(election=election, actor=manager)
    return election, [national, academic], voters, manager, cset


def public_of(cset, voter, scrutin, index=0):
    code = services.code_derive(credential_set=cset, voter_id=voter.pk, index=index)
    return services.public_credential_hex(scrutin_uuid=scrutin.uuid, code=code)


def test_each_voter_gets_one_active_and_r_spare_codes_in_each_scrutin(world):
    _, scrutins, voters, _, cset = world
    # R = the voter's 3 requests of a new identifier + the helpdesk's reserve of 1.
    assert cset.spares == 4 and cset.voters == 3
    for v in voters:
        statuses = [s.status for s in CodeSlot.objects.filter(voter_id=v.pk).order_by("index")]
        assert statuses == ["active", "spare", "spare", "spare", "spare"]
    for s in scrutins:
        assert len(selectors.public_credentials_of(scrutin_uuid=s.uuid)) == 3 * 5
    assert AuditEvent.objects.filter(action="authority.credentials_generated").count() == 1


def test_contract_status_and_confirm(world):
    _, scrutins, voters, _, cset = world
    v, other = voters[0], voters[1]
    for s in scrutins:
        pub = public_of(cset, v, s)
        assert (
            selectors.credential_status(voter_id=v.pk, scrutin_uuid=s.uuid, public_credential=pub)
            == "active"
        )
        assert (
            selectors.credential_status(
                voter_id=other.pk, scrutin_uuid=s.uuid, public_credential=pub
            )
            is None
        )
        spare = public_of(cset, v, s, 1)
        assert (
            selectors.credential_status(voter_id=v.pk, scrutin_uuid=s.uuid, public_credential=spare)
            == "spare"
        )
    mine = {s.uuid: public_of(cset, v, s) for s in scrutins}
    assert services.credentials_confirm(voter=v, public_credentials=mine) == {
        s.uuid: True for s in scrutins
    }
    assert services.credentials_confirm(voter=other, public_credentials=mine) == {
        s.uuid: False for s in scrutins
    }
    theirs = {s.uuid: public_of(cset, other, s) for s in scrutins}
    assert set(services.credentials_confirm(voter=v, public_credentials=theirs).values()) == {False}
    # A credential of the right voter but for the other scrutin is refused too.
    crossed = {scrutins[0].uuid: mine[scrutins[1].uuid]}
    assert services.credentials_confirm(voter=v, public_credentials=crossed) == {
        scrutins[0].uuid: False
    }


def test_replacement_revokes_and_activates_next_then_runs_out(world):
    _, scrutins, voters, manager, cset = world
    v = voters[0]
    s = scrutins[0]
    old = public_of(cset, v, s, 0)
    slot = services.credentials_replace(voter=v, actor=manager, reason="avis perdu")
    assert slot.index == 1
    assert (
        selectors.credential_status(voter_id=v.pk, scrutin_uuid=s.uuid, public_credential=old)
        == "revoked"
    )
    assert services.credentials_confirm(
        voter=v, public_credentials={s.uuid: public_of(cset, v, s, 1)}
    ) == {s.uuid: True}
    assert services.credentials_confirm(voter=v, public_credentials={s.uuid: old}) == {
        s.uuid: False
    }
    services.credentials_replace(voter=v, actor=manager, reason="2")
    services.credentials_replace(voter=v, actor=manager, reason="3")
    services.credentials_replace(voter=v, actor=manager, reason="4")  # the reserve
    with pytest.raises(ValidationError, match="Plus aucun code"):
        services.credentials_replace(voter=v, actor=manager, reason="5")
    with pytest.raises(ValidationError, match="motif"):
        services.credentials_replace(voter=voters[1], actor=manager, reason="  ")
    events = AuditEvent.objects.filter(action="authority.code_replaced")
    assert events.count() == 4
    assert events.first().data["reason"] == "avis perdu"


def test_no_code_in_clear_in_the_authority_store(world):
    from django.db import connections

    _, _, voters, _, cset = world
    secrets_ = set()
    for v in voters:
        for i in range(4):
            code = services.code_derive(credential_set=cset, voter_id=v.pk, index=i)
            secrets_ |= {
                code,
                code.replace("-", ""),
                codes.credential_of_code(code),
                codes.credential_of_code(code).replace("-", ""),
            }
    conn = connections["authority"]
    with conn.cursor() as cur:
        tables = conn.introspection.table_names(cur)
        assert tables, "the authority store has tables"
        seen = 0
        for table in tables:
            cols = [c.name for c in conn.introspection.get_table_description(cur, table)]
            # Schema: no column meant for a code, credential secret or personal contact.
            assert not any(
                w in c.lower()
                for c in cols
                for w in ("code", "secret", "private", "phone", "email", "password")
            ), (table, cols)
            cur.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from introspection
            for row in cur.fetchall():
                seen += 1
                text = " ".join(str(x) for x in row)
                assert not any(s in text for s in secrets_), table
    assert seen > 0
    assert PublicCredential.objects.count() == 3 * 5 * 2


def test_authority_key_check(settings):
    from urne.authority.checks import authority_key_check

    settings.DEBUG = False
    settings.URNE_REFUSE_PLACEHOLDER_SECRETS = True
    settings.URNE_AUTHORITY_KEY = "placeholder-authority-not-a-secret"
    assert [e.id for e in authority_key_check()] == ["urne.E300"]
    settings.URNE_AUTHORITY_KEY = "x" * 20
    assert [e.id for e in authority_key_check()] == ["urne.E300"]
    settings.URNE_AUTHORITY_KEY = "Zr8q1vN0c3LwP5yT7uB2mK9xD4hJ6fG1sA8eQ3"
    assert authority_key_check() == []
