"""The cast service's two-store protocol: claim, append, settle; recovery; takeover of a
stale claim; fault points off by default."""

from datetime import timedelta

import pytest

from factories.booth import ballot_make, cast_setup_make
from urne.booth.models import Emargement
from urne.booth.services import (
    CastError,
    cast_submit,
    emargement_recover,
)
from urne.crypto.ballot import parse_ballot
from urne.urn.faults import POINTS, fault_point
from urne.urn.models import UrnBallot, UrnScrutin
from urne.urn.services import urn_ballot_append

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])


@pytest.fixture
def world():
    return cast_setup_make(voters=3)


def test_fault_points_do_nothing_unless_configured(settings):
    for p in POINTS:
        fault_point(p)
    settings.URNE_CAST_FAULT = "voted"
    fault_point("claimed")  # another point: nothing


def test_recovery_settles_a_claim_whose_ballot_reached_the_urn(world):
    # Crash after the urn append, before the row was set voted.
    voter, cs = world.voters[0], world.scrutins[0]
    ballot = ballot_make(cs, voter.pk, 1)
    tracker = parse_ballot(ballot).tracker
    Emargement.objects.create(voter=voter, scrutin=cs.scrutin, pending_tracker=tracker)
    urn_ballot_append(scrutin_uuid=cs.scrutin.uuid, ballot=parse_ballot(ballot), ballot_text=ballot)
    assert emargement_recover(older_than=timedelta(minutes=5)).voted == 0  # too young
    r = emargement_recover(older_than=timedelta(0))
    assert (r.voted, r.dropped) == (1, 0)
    row = Emargement.objects.get()
    assert row.state == "voted" and row.pending_tracker == ""
    # Idempotent.
    assert emargement_recover(older_than=timedelta(0)) == type(r)()


def test_recovery_drops_a_claim_whose_ballot_never_reached_the_urn_and_the_voter_votes(world):
    voter, cs = world.voters[0], world.scrutins[0]
    lost = ballot_make(cs, voter.pk, 1)
    Emargement.objects.create(
        voter=voter, scrutin=cs.scrutin, pending_tracker=parse_ballot(lost).tracker
    )
    r = emargement_recover(older_than=timedelta(0))
    assert (r.voted, r.dropped) == (0, 1)
    assert not Emargement.objects.exists()
    receipt = cast_submit(
        voter_id=voter.pk, scrutin_uuid=cs.scrutin.uuid, ballot=ballot_make(cs, voter.pk, 2)
    )
    assert UrnBallot.objects.using("urn").get().tracker == receipt.tracker


def test_a_resend_finishes_a_claim_left_pending(world):
    # Crash after the claim: the voter's browser resends the same ballot.
    voter, cs = world.voters[0], world.scrutins[0]
    ballot = ballot_make(cs, voter.pk, 1)
    tracker = parse_ballot(ballot).tracker
    Emargement.objects.create(voter=voter, scrutin=cs.scrutin, pending_tracker=tracker)
    receipt = cast_submit(voter_id=voter.pk, scrutin_uuid=cs.scrutin.uuid, ballot=ballot)
    assert receipt.tracker == tracker and not receipt.resent
    assert Emargement.objects.get().state == "voted"


def test_a_resend_after_the_urn_append_settles_and_returns_the_receipt(world):
    voter, cs = world.voters[0], world.scrutins[0]
    ballot = ballot_make(cs, voter.pk, 1)
    tracker = parse_ballot(ballot).tracker
    Emargement.objects.create(voter=voter, scrutin=cs.scrutin, pending_tracker=tracker)
    urn_ballot_append(scrutin_uuid=cs.scrutin.uuid, ballot=parse_ballot(ballot), ballot_text=ballot)
    receipt = cast_submit(voter_id=voter.pk, scrutin_uuid=cs.scrutin.uuid, ballot=ballot)
    assert receipt.tracker == tracker and receipt.resent
    assert Emargement.objects.get().state == "voted"
    assert UrnScrutin.objects.using("urn").get().ballots == 1


def test_another_device_takes_over_a_dead_claim_and_a_cast_claim_wins(world):
    voter, cs = world.voters[0], world.scrutins[0]
    dead = ballot_make(cs, voter.pk, 1)
    Emargement.objects.create(
        voter=voter, scrutin=cs.scrutin, pending_tracker=parse_ballot(dead).tracker
    )
    other = ballot_make(cs, voter.pk, 2)
    receipt = cast_submit(voter_id=voter.pk, scrutin_uuid=cs.scrutin.uuid, ballot=other)
    assert receipt.tracker == parse_ballot(other).tracker
    with pytest.raises(CastError) as exc:
        cast_submit(voter_id=voter.pk, scrutin_uuid=cs.scrutin.uuid, ballot=dead)
    assert exc.value.code == "already_voted"
    assert UrnBallot.objects.using("urn").count() == 1


def test_a_claim_whose_ballot_is_in_the_urn_blocks_another_ballot(world):
    voter, cs = world.voters[0], world.scrutins[0]
    first = ballot_make(cs, voter.pk, 1)
    Emargement.objects.create(
        voter=voter, scrutin=cs.scrutin, pending_tracker=parse_ballot(first).tracker
    )
    urn_ballot_append(scrutin_uuid=cs.scrutin.uuid, ballot=parse_ballot(first), ballot_text=first)
    with pytest.raises(CastError) as exc:
        cast_submit(
            voter_id=voter.pk, scrutin_uuid=cs.scrutin.uuid, ballot=ballot_make(cs, voter.pk, 2)
        )
    assert exc.value.code == "already_voted"
    assert Emargement.objects.get().state == "voted"
    assert UrnBallot.objects.using("urn").count() == 1


def test_the_urn_not_set_up_means_not_open(world):
    voter, cs = world.voters[0], world.scrutins[0]
    ballot = ballot_make(cs, voter.pk, 1)
    UrnScrutin.objects.using("urn").all().delete()
    with pytest.raises(CastError) as exc:
        cast_submit(voter_id=voter.pk, scrutin_uuid=cs.scrutin.uuid, ballot=ballot)
    assert exc.value.code == "not_open"


def test_the_recovery_command_and_task(world, capsys):
    from django.core.management import call_command

    from urne.booth.tasks import emargement_recover_task

    voter, cs = world.voters[0], world.scrutins[0]
    Emargement.objects.create(voter=voter, scrutin=cs.scrutin, pending_tracker="x" * 43)
    call_command("cast_recover", "--older-than", "0")
    assert "dropped 1" in capsys.readouterr().out
    result = emargement_recover_task.enqueue(older_than_seconds=0)
    assert result.return_value == {"voted": 0, "dropped": 0, "busy": 0, "frozen": 0}
