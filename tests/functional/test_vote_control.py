"""The polling station's control of the vote (ADR 0770): suspension and resumption, the
extension of the close, the close by the bureau with the grace period, and the freeze after
which nothing changes. Through the bureau's page and the booth's endpoints, on real stores."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from factories.accounts import mail_clear, voter_client_login
from factories.booth import ballot_make, cast_setup_make
from factories.control import bureau_make
from factories.elections import staff_login
from urne.audit.models import AuditEvent
from urne.authority.models import CodeSlot
from urne.authority.services import credentials_replace
from urne.booth.models import Emargement
from urne.booth.services import CastError, booth_enter, cast_submit, emargement_recover
from urne.bureau.control import ControlError, vote_close, vote_extend, vote_freeze, vote_suspend
from urne.bureau.models import ControlDecision, Freeze, ParticipationCount, ParticipationTick
from urne.crypto.ballot import parse_ballot
from urne.elections.calendar import grace_period
from urne.elections.models import Election
from urne.urn.models import UrnBallot, UrnScrutin
from urne.urn.services import UrnError, urn_ballot_append

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])


@pytest.fixture
def world():
    mail_clear()
    w = cast_setup_make(voters=3, lists=3, scrutins=1)
    w.election = w.voters[0].election
    w.bureau = bureau_make(w.election)
    w.cs = w.scrutins[0]
    yield w
    mail_clear()


def cast(voter, cs, choice=1):
    client = Client()
    voter_client_login(client, voter)
    body = json.dumps({"scrutin": cs.scrutin.uuid, "ballot": ballot_make(cs, voter.pk, choice)})
    return client.post(reverse("booth:cast"), body, content_type="application/json")


def president(world):
    client = Client()
    staff_login(client, world.bureau.user)
    return client


def decide(world, action, *, members=None, reason="Incident réseau", **extra):
    data = {"action": action, "reason": reason, **extra}
    data["members"] = [str(m) for m in (world.bureau.members if members is None else members)]
    return president(world).post(reverse("bureau:control", args=[world.election.pk]), data)


def stored():
    return (
        Emargement.objects.count(),
        UrnBallot.objects.using("urn").count(),
        ParticipationTick.objects.count() + ParticipationCount.objects.count(),
    )


def test_suspend_refuses_casts_with_the_message_and_stores_nothing_then_resume(world):
    a, b = world.voters[0], world.voters[1]
    assert cast(a, world.cs).status_code == 200
    before = stored()
    r = decide(world, "suspend")
    assert r.status_code == 302
    decision = ControlDecision.objects.get()
    assert decision.kind == "suspend" and decision.reason == "Incident réseau"
    assert sorted(decision.members_present.values_list("pk", flat=True)) == world.bureau.members
    assert AuditEvent.objects.filter(action="bureau.vote_suspend").count() == 1

    refused = cast(b, world.cs)
    assert refused.status_code == 403
    assert refused.json()["code"] == "suspended"
    assert "bureau de vote a suspendu le vote" in refused.json()["message"]
    assert stored() == before  # nothing stored, nothing lost (a's vote is still there)
    # The booth page says so, in French and in English.
    client = Client()
    voter_client_login(client, b)
    page = client.get(reverse("booth:entry")).content.decode()
    assert "Le bureau de vote a suspendu le vote." in page
    with translation.override("en"):
        page = client.get(reverse("booth:entry")).content.decode()
    assert "The polling station has suspended the vote." in page
    # The code check is refused too.
    with translation.override("en"):
        r = client.post(reverse("booth:code_confirm"), "{}", content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "suspended"
    assert "suspended" in r.json()["message"]

    assert decide(world, "resume", reason="Réseau rétabli").status_code == 302
    assert cast(b, world.cs).status_code == 200
    assert Emargement.objects.filter(state="voted").count() == 2


def test_only_the_president_records_a_decision_with_members_and_a_reason(world):
    delegate = Client()
    staff_login(delegate, world.bureau.delegates[0].user)
    url = reverse("bureau:control", args=[world.election.pk])
    r = delegate.post(
        url, {"action": "suspend", "reason": "x", "members": [world.bureau.members[0]]}
    )
    assert r.status_code == 403
    assert decide(world, "suspend", reason="  ").status_code == 400
    assert decide(world, "suspend", members=[]).status_code == 400
    assert not ControlDecision.objects.exists()
    assert Election.objects.get(pk=world.election.pk).vote_suspended_at is None
    assert decide(world, "resume").status_code == 400  # not suspended


def test_an_extension_follows_a_suspension_within_eight_days(world):
    e = world.election
    user, members = world.bureau.user, world.bureau.members
    late = e.vote_closes + timedelta(days=2)
    with pytest.raises(ControlError, match="never_suspended"):
        vote_extend(election=e, actor=user, members=members, reason="r", until=late)
    vote_suspend(election=e, actor=user, members=members, reason="panne")
    with pytest.raises(ControlError, match="extension_too_late"):
        vote_extend(
            election=e,
            actor=user,
            members=members,
            reason="r",
            until=e.vote_closes + timedelta(days=8, minutes=1),
        )
    with pytest.raises(ControlError, match="extension_too_early"):
        vote_extend(election=e, actor=user, members=members, reason="r", until=e.vote_closes)
    paris = timezone.localtime(late)
    r = decide(
        world, "extend", until_date=paris.strftime("%Y-%m-%d"), until_time=paris.strftime("%H:%M")
    )
    assert r.status_code == 302
    e.refresh_from_db()
    assert e.vote_extended_to == late.replace(second=0, microsecond=0)
    assert ControlDecision.objects.filter(kind="extend", closes_at=e.vote_extended_to).exists()
    assert decide(world, "extend", until_date="2026-13-01", until_time="10:00").status_code == 400


def test_a_voter_in_the_booth_before_the_close_casts_within_the_grace_not_after(world):
    e = world.election
    inside, outside, late = world.voters
    booth_enter(voter_id=inside.pk, scrutin_id=world.cs.scrutin.pk)
    booth_enter(voter_id=late.pk, scrutin_id=world.cs.scrutin.pk)
    assert decide(world, "close", reason="Fin anticipée décidée par le bureau").status_code == 302
    e.refresh_from_db()
    assert e.vote_closed_at is not None and e.vote_suspended_at is None
    # Within the grace: the voter who entered before the close casts; the other does not.
    assert cast(inside, world.cs).status_code == 200
    r = cast(outside, world.cs)
    assert r.status_code == 403 and r.json()["code"] == "closed"
    # After the grace, even a voter who entered before the close is refused.
    after = e.vote_closed_at + grace_period() + timedelta(seconds=1)
    with pytest.raises(CastError, match="closed"):
        cast_submit(
            voter_id=late.pk,
            scrutin_uuid=world.cs.scrutin.uuid,
            ballot=ballot_make(world.cs, late.pk),
            now=after,
        )
    assert Emargement.objects.filter(state="voted").count() == 1
    # The freeze waits for the grace period's end.
    with pytest.raises(ControlError, match="vote_not_over"):
        vote_freeze(election=e, actor=world.bureau.user)


def _over(world):
    """The calendar's close and its grace period are past."""
    now = timezone.now()
    Election.objects.filter(pk=world.election.pk).update(
        vote_closes=now - grace_period() - timedelta(minutes=1)
    )
    world.election.refresh_from_db()


def test_after_the_freeze_nothing_changes_and_attempts_are_audited(world):
    a, b, c = world.voters
    ballot_a = ballot_make(world.cs, a.pk, 2)
    client = Client()
    voter_client_login(client, a)
    body = json.dumps({"scrutin": world.cs.scrutin.uuid, "ballot": ballot_a})
    assert (
        client.post(reverse("booth:cast"), body, content_type="application/json").status_code == 200
    )
    assert cast(b, world.cs).status_code == 200
    _over(world)
    r = decide(world, "freeze")
    assert r.status_code == 302
    freeze = Freeze.objects.get()
    figures = freeze.figures[world.cs.scrutin.uuid]
    assert figures["ballots"] == figures["emargements"] == figures["counted"] == 2
    head = UrnScrutin.objects.using("urn").get(uuid=world.cs.scrutin.uuid)
    assert head.frozen_at is not None and figures["last_event"] == head.last_event
    assert AuditEvent.objects.filter(action="bureau.vote_freeze").count() == 1
    before = stored()

    # A cast: refused, audited.
    r = cast(c, world.cs)
    assert r.status_code == 403 and r.json()["code"] == "closed"
    assert AuditEvent.objects.filter(action="booth.cast_refused_frozen").count() == 1
    # The urn itself refuses an append.
    with pytest.raises(UrnError, match="urn_closed"):
        urn_ballot_append(
            scrutin_uuid=world.cs.scrutin.uuid,
            ballot=parse_ballot(ballot := ballot_make(world.cs, c.pk)),
            ballot_text=ballot,
        )
    # A recovery: a pending row (as a crash would leave) is left as it is, audited.
    row = Emargement.objects.create(voter=c, scrutin=world.cs.scrutin, pending_tracker="t" * 43)
    Emargement.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert emargement_recover().frozen == 1
    assert Emargement.objects.get(pk=row.pk).state == "pending"
    assert AuditEvent.objects.filter(action="booth.recovery_refused_frozen").count() == 1
    row.delete()
    # A code replacement: refused, audited, no slot changed.
    slots = list(CodeSlot.objects.filter(voter_id=c.pk).values_list("index", "status"))
    with pytest.raises(ValidationError):
        credentials_replace(voter=c, actor=world.bureau.user, reason="perdu")
    assert list(CodeSlot.objects.filter(voter_id=c.pk).values_list("index", "status")) == slots
    assert AuditEvent.objects.filter(action="authority.code_replace_refused").count() == 1
    # No decision any more; the freeze again is the same freeze.
    assert decide(world, "suspend").status_code == 400
    with pytest.raises(ControlError, match="frozen"):
        vote_close(
            election=world.election,
            actor=world.bureau.user,
            members=world.bureau.members,
            reason="r",
        )
    assert vote_freeze(election=world.election).pk == freeze.pk
    assert stored() == before


def test_the_control_page_shows_the_state_and_the_decisions(world):
    vote_suspend(
        election=world.election,
        actor=world.bureau.user,
        members=world.bureau.members[:2],
        reason="Coupure du fournisseur",
    )
    page = president(world).get(reverse("bureau:control", args=[world.election.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "suspendu par le bureau" in text and "Coupure du fournisseur" in text
    assert "Délégué 1" in text


def test_the_scheduler_freezes_an_election_whose_vote_is_over(world):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("vote_freeze", stdout=out)
    assert not Freeze.objects.exists()  # still open
    vote_suspend(
        election=world.election, actor=world.bureau.user, members=world.bureau.members, reason="r"
    )
    _over(world)
    call_command("vote_freeze", stdout=out)
    assert not Freeze.objects.exists()  # suspended: the bureau has not finished
    Election.objects.filter(pk=world.election.pk).update(vote_suspended_at=None)
    call_command("vote_freeze", stdout=out)
    freeze = Freeze.objects.get()
    assert freeze.frozen_by is None and "frozen at" in out.getvalue()
    assert AuditEvent.objects.get(action="bureau.vote_freeze").actor == "system"
