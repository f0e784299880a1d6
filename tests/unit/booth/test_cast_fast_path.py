"""The cast's lean path (ADR 0330-0333): the session claim checked in the cast's own query,
the plain-SQL credential status in agreement with the authority's selector, the urn writes
and the outbox row as the ORM would write them."""

import json

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from factories.accounts import mail_clear, voter_client_login
from factories.booth import ballot_make, cast_setup_make
from urne.accounts.session import SessionClaim, session_hash
from urne.authority.models import CodeSlot, PublicCredential
from urne.authority.selectors import credential_status
from urne.booth.models import Emargement
from urne.booth.services import CastError, cast_submit
from urne.messaging.models import OutboxMessage
from urne.urn.models import UrnBallot, UrnEvent, UrnRecord, UrnScrutin

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])


@pytest.fixture
def world():
    mail_clear()
    yield cast_setup_make(voters=3, lists=2, scrutins=1)
    mail_clear()


def post(client, scrutin, ballot):
    body = json.dumps({"scrutin": scrutin.uuid, "ballot": ballot})
    return client.post(reverse("booth:cast"), body, content_type="application/json")


def test_credential_status_in_one_statement_keeps_the_authority_rule(world):
    # The cast calls the authority's selector, which reads in plain SQL (ADR 0333): it gives
    # the slot's status for the voter's own credential, typed in any case, and None otherwise.
    cs = world.scrutins[0]
    for pc in PublicCredential.objects.select_related("slot").filter(scrutin_uuid=cs.scrutin.uuid):
        for voter_id in (pc.slot.voter_id, pc.slot.voter_id + 1):
            for text in (pc.credential, f" {pc.credential.upper()} "):
                args = {"voter_id": voter_id, "scrutin_uuid": pc.scrutin_uuid}
                expected = pc.slot.status if voter_id == pc.slot.voter_id else None
                assert credential_status(**args, public_credential=text) == expected
    assert (
        credential_status(voter_id=1, scrutin_uuid=cs.scrutin.uuid, public_credential="0") is None
    )


def test_claim_casts_for_the_account_and_the_receipt_names_the_voter(world):
    voter, cs = world.voters[0], world.scrutins[0]
    account = voter_client_login(Client(), voter)
    claim = SessionClaim(account_id=account.pk, hash=session_hash(account))
    receipt = cast_submit(
        claim=claim, scrutin_uuid=cs.scrutin.uuid, ballot=ballot_make(cs, voter.pk, 1)
    )
    assert (receipt.voter_id, receipt.email, receipt.first_name) == (
        voter.pk,
        voter.email,
        voter.first_name,
    )
    assert Emargement.objects.get(voter=voter).state == "voted"


def test_a_stale_or_unknown_claim_is_not_logged_in_and_writes_nothing(world):
    voter, cs = world.voters[0], world.scrutins[0]
    account = voter_client_login(Client(), voter)
    ballot = ballot_make(cs, voter.pk, 1)
    for claim in (
        SessionClaim(account_id=account.pk, hash="0" * 64),  # password changed since
        SessionClaim(account_id=10**9, hash=session_hash(account)),  # account gone
    ):
        for scrutin_uuid in (cs.scrutin.uuid, "N" * 14):
            with pytest.raises(CastError) as exc:
                cast_submit(claim=claim, scrutin_uuid=scrutin_uuid, ballot=ballot)
            assert exc.value.code == "not_logged_in"
    assert not Emargement.objects.exists() and not UrnBallot.objects.exists()


def test_password_change_and_logout_end_the_session_for_the_cast(world):
    voter, cs = world.voters[0], world.scrutins[0]
    client = Client()
    account = voter_client_login(client, voter)
    account.password = "argon2$changed"  # noqa: S105
    account.save(update_fields=["password"])
    r = post(client, cs.scrutin, ballot_make(cs, voter.pk, 1))
    assert r.status_code == 401 and r.json()["code"] == "not_logged_in"
    client = Client()
    voter_client_login(client, world.voters[1])
    Session.objects.all().delete()  # what a logout does to the row
    r = post(client, cs.scrutin, ballot_make(cs, world.voters[1].pk, 1))
    assert r.status_code == 401 and r.json()["code"] == "not_logged_in"
    assert not Emargement.objects.exists()


def test_http_cast_writes_the_urn_rows_and_the_outbox_note(world):
    voter, cs = world.voters[0], world.scrutins[0]
    client = Client()
    voter_client_login(client, voter)
    r = post(client, cs.scrutin, ballot_make(cs, voter.pk, 1))
    assert r.status_code == 200, r.content
    head = UrnScrutin.objects.using("urn").get(uuid=cs.scrutin.uuid)
    assert head.ballots == 1 and head.height == 1  # Setup at 0, then one Ballot event
    assert UrnEvent.objects.using("urn").filter(scrutin=head, type="Ballot").count() == 1
    assert UrnRecord.objects.using("urn").filter(scrutin=head).count() == head.next_seq
    note = OutboxMessage.objects.get(voter=voter)
    assert (note.template, note.state, note.attempts) == ("cast_receipt", "sent", 1)
    assert note.created_at is not None and note.sent_at is not None and note.last_error == ""
    assert CodeSlot.objects.filter(voter_id=voter.pk).exists()
