"""The cast through HTTP: JSON endpoint, receipts, every error a voter can meet, nothing lost
and nothing counted twice."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from factories.accounts import mail_clear, mail_outbox, voter_client_login
from factories.booth import ballot_make, cast_setup_make
from factories.elections import voter_make
from urne.authority.models import CodeSlot
from urne.booth.models import Emargement
from urne.booth.services import booth_enter
from urne.crypto.ballot import parse_ballot
from urne.messaging.models import OutboxMessage
from urne.urn.models import UrnBallot

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])


@pytest.fixture
def world():
    mail_clear()
    yield cast_setup_make(voters=3, lists=3, scrutins=2)
    mail_clear()


def post(client, scrutin, ballot, **extra):
    body = json.dumps({"scrutin": scrutin.uuid, "ballot": ballot})
    return client.post(reverse("booth:cast"), body, content_type="application/json", **extra)


def logged(voter):
    client = Client()
    voter_client_login(client, voter)
    return client


def test_a_cast_records_ballot_and_emargement_and_gives_a_receipt(world):
    voter, cs = world.voters[0], world.scrutins[0]
    client = logged(voter)
    ballot = ballot_make(cs, voter.pk, 2)
    r = post(client, cs.scrutin, ballot)
    assert r.status_code == 200, r.content
    data = r.json()
    tracker = parse_ballot(ballot).tracker
    assert data["tracker"] == tracker and data["resent"] is False
    row = Emargement.objects.get(voter=voter, scrutin=cs.scrutin)
    assert row.state == "voted" and row.pending_tracker == "" and row.voted_at
    assert list(UrnBallot.objects.using("urn").values_list("tracker", flat=True)) == [tracker]
    # The receipt by e-mail: the tracker, to the voter; the outbox keeps metadata only.
    assert len(mail_outbox()) == 1 and tracker in mail_outbox()[0].text
    assert mail_outbox()[0].to == voter.email
    note = OutboxMessage.objects.get(voter=voter)
    assert note.template == "cast_receipt" and note.state == "sent"
    # The printable receipt page.
    page = client.get(data["receipt_url"])
    assert page.status_code == 200 and tracker in page.content.decode()
    # Nothing in the voter store holds the tracker any more.
    assert not Emargement.objects.filter(pending_tracker=tracker).exists()


def test_resending_the_same_ballot_returns_the_same_receipt_and_counts_once(world):
    voter, cs = world.voters[0], world.scrutins[0]
    client = logged(voter)
    ballot = ballot_make(cs, voter.pk, 1)
    first = post(client, cs.scrutin, ballot).json()
    again = post(client, cs.scrutin, ballot)
    assert again.status_code == 200
    assert again.json()["tracker"] == first["tracker"] and again.json()["resent"] is True
    assert UrnBallot.objects.using("urn").count() == 1
    assert len(mail_outbox()) == 1


def test_a_second_ballot_is_refused_already_voted(world):
    voter, cs = world.voters[0], world.scrutins[0]
    client = logged(voter)
    assert post(client, cs.scrutin, ballot_make(cs, voter.pk, 1)).status_code == 200
    r = post(client, cs.scrutin, ballot_make(cs, voter.pk, 2))
    assert r.status_code == 409 and r.json()["code"] == "already_voted"
    assert "déjà voté" in r.json()["message"]
    assert UrnBallot.objects.using("urn").count() == 1


def test_each_scrutin_is_cast_separately(world):
    voter = world.voters[0]
    client = logged(voter)
    for cs in world.scrutins:
        assert post(client, cs.scrutin, ballot_make(cs, voter.pk, 1)).status_code == 200
    assert Emargement.objects.filter(voter=voter, state="voted").count() == 2


def test_another_voters_credential_is_refused_and_nothing_is_recorded(world):
    a, b = world.voters[0], world.voters[1]
    cs = world.scrutins[0]
    r = post(logged(a), cs.scrutin, ballot_make(cs, b.pk, 1))
    assert r.status_code == 403 and r.json()["code"] == "wrong_credential"
    assert not Emargement.objects.exists() and not UrnBallot.objects.using("urn").exists()


def test_a_spare_or_revoked_credential_is_refused(world):
    voter, cs = world.voters[0], world.scrutins[0]
    client = logged(voter)
    r = post(client, cs.scrutin, ballot_make(cs, voter.pk, 1, spare=True))
    assert r.json()["code"] == "wrong_credential"
    CodeSlot.objects.filter(voter_id=voter.pk, index=1).update(status="revoked")
    r = post(client, cs.scrutin, ballot_make(cs, voter.pk, 1, spare=True))
    assert r.status_code == 403 and r.json()["code"] == "revoked_credential"
    assert not UrnBallot.objects.using("urn").exists()


def test_window_before_and_after_and_the_grace_period(world):
    voter, cs = world.voters[0], world.scrutins[0]
    election = cs.scrutin.election
    client = logged(voter)
    now = timezone.now()
    election.vote_opens, election.vote_closes = now + timedelta(hours=1), now + timedelta(days=1)
    election.save()
    r = post(client, cs.scrutin, ballot_make(cs, voter.pk, 1))
    assert r.status_code == 403 and r.json()["code"] == "not_open"
    election.vote_opens, election.vote_closes = now - timedelta(days=1), now - timedelta(minutes=10)
    election.save()
    r = post(client, cs.scrutin, ballot_make(cs, voter.pk, 1))
    assert r.status_code == 403 and r.json()["code"] == "closed"
    # Entered the booth before the close: still within the 30-minute grace period.
    booth_enter(voter_id=voter.pk, scrutin_id=cs.scrutin.pk, now=now - timedelta(minutes=15))
    assert post(client, cs.scrutin, ballot_make(cs, voter.pk, 1)).status_code == 200
    # Past the grace period, even having entered before the close.
    other = world.voters[1]
    booth_enter(voter_id=other.pk, scrutin_id=cs.scrutin.pk, now=now - timedelta(minutes=50))
    election.vote_closes = now - timedelta(minutes=31)
    election.save()
    r = post(logged(other), cs.scrutin, ballot_make(cs, other.pk, 1))
    assert r.json()["code"] == "closed"
    assert UrnBallot.objects.using("urn").count() == 1


def test_altered_replayed_and_foreign_ballots_are_refused(world):
    voter, cs = world.voters[0], world.scrutins[0]
    client = logged(voter)
    ballot = ballot_make(cs, voter.pk, 1)
    obj = json.loads(ballot)
    proof = obj["answers"][0]["individual_proofs"][0][0]
    proof["challenge"] = "1" + proof["challenge"][1:] if proof["challenge"][0] != "1" else "2"
    altered = json.dumps(obj, separators=(",", ":"))
    r = post(client, cs.scrutin, altered)
    assert r.status_code == 400 and r.json()["code"] == "invalid_ballot"
    not_canonical = json.dumps(json.loads(ballot), indent=1)
    assert post(client, cs.scrutin, not_canonical).json()["code"] == "invalid_ballot"
    foreign = ballot_make(world.scrutins[1], voter.pk, 1)
    r = post(client, cs.scrutin, foreign)
    assert r.status_code == 400 and r.json()["code"] == "foreign_ballot"
    assert post(client, cs.scrutin, "not json").json()["code"] == "invalid_ballot"
    # Another voter replays a ballot seen in the public archive: not their credential.
    assert post(client, cs.scrutin, ballot).status_code == 200
    r = post(logged(world.voters[1]), cs.scrutin, ballot)
    assert r.status_code == 403 and r.json()["code"] == "wrong_credential"
    assert UrnBallot.objects.using("urn").count() == 1


def test_not_eligible_unknown_scrutin_bad_requests(world):
    cs = world.scrutins[1]  # CTA Lyon
    elsewhere = voter_make(cs.scrutin.election, academie="Paris", departement="75")
    client = logged(elsewhere)
    ballot = ballot_make(cs, world.voters[0].pk, 1)
    r = post(client, cs.scrutin, ballot)
    assert r.status_code == 403 and r.json()["code"] == "not_eligible"
    r = client.post(
        reverse("booth:cast"),
        json.dumps({"scrutin": "N" * 14, "ballot": ballot}),
        content_type="application/json",
    )
    assert r.status_code == 404 and r.json()["code"] == "unknown_scrutin"
    for body, code in (
        ("{", "bad_json"),
        ("[]", "bad_request"),
        (json.dumps({"scrutin": 3, "ballot": "x"}), "not_text"),
        (json.dumps({}), "bad_request"),
    ):
        r = client.post(reverse("booth:cast"), body, content_type="application/json")
        assert r.status_code == 400 and r.json()["code"] == code, body
    assert client.get(reverse("booth:cast")).status_code == 405


def test_session_and_csrf_are_required(world):
    voter, cs = world.voters[0], world.scrutins[0]
    ballot = ballot_make(cs, voter.pk, 1)
    r = post(Client(), cs.scrutin, ballot)
    assert r.status_code == 401 and r.json()["code"] == "not_logged_in"
    strict = Client(enforce_csrf_checks=True)
    voter_client_login(strict, voter)
    r = post(strict, cs.scrutin, ballot)
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    r = post(strict, cs.scrutin, ballot, HTTP_X_CSRFTOKEN="z" * 32)  # no cookie to match
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    token = "a" * 32
    strict.cookies["csrftoken"] = token
    r = post(strict, cs.scrutin, ballot, HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 200
    assert UrnBallot.objects.using("urn").count() == 1


def test_messages_follow_the_request_language(world):
    voter, cs = world.voters[0], world.scrutins[0]
    client = logged(voter)
    assert post(client, cs.scrutin, ballot_make(cs, voter.pk, 1)).status_code == 200
    r = client.post(
        "/en/vote/bulletin/",
        json.dumps({"scrutin": cs.scrutin.uuid, "ballot": ballot_make(cs, voter.pk, 2)}),
        content_type="application/json",
    )
    assert r.status_code == 409
    assert r.json()["message"].startswith("You have already voted")


def test_the_cast_is_rate_limited_per_voter(world, settings):
    settings.URNE_RATE_LIMITS = {**settings.URNE_RATE_LIMITS, "cast_voter": (3, 60)}
    from django.core.cache import cache

    cache.clear()
    voter, cs = world.voters[2], world.scrutins[0]
    client = logged(voter)
    codes = [post(client, cs.scrutin, "x").status_code for _ in range(5)]
    assert codes == [400, 400, 400, 429, 429]
    cache.clear()


def test_the_receipt_page_shows_only_the_voters_own_tracker(world):
    a, b = world.voters[0], world.voters[1]
    cs = world.scrutins[0]
    tracker = post(logged(a), cs.scrutin, ballot_make(cs, a.pk, 1)).json()["tracker"]
    url = reverse("booth:receipt", args=[cs.scrutin.uuid]) + "?suivi=" + tracker
    assert logged(b).get(url).status_code == 404  # b has not voted
    assert tracker in logged(a).get(url).content.decode()
    anonymous = Client().get(url)
    assert anonymous.status_code == 302


def test_csrf_refusal_is_in_english_for_an_english_page(world):
    voter, cs = world.voters[0], world.scrutins[0]
    strict = Client(enforce_csrf_checks=True)
    voter_client_login(strict, voter)
    r = strict.post(
        "/en/vote/bulletin/",
        json.dumps({"scrutin": cs.scrutin.uuid, "ballot": "x"}),
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json()["message"].startswith("Your page has expired")


def test_the_receipt_mail_links_to_the_public_address_and_is_dated_and_signed(world, settings):
    """The board link comes from the one public-address setting, not from the Host header a
    client sends (here an allowed one that is not the public address); the mail says when the
    ballot was recorded and who writes."""
    settings.URNE_PUBLIC_URL = "https://vote.example.gouv.fr/"
    voter, cs = world.voters[0], world.scrutins[0]
    client = logged(voter)
    r = post(client, cs.scrutin, ballot_make(cs, voter.pk, 1), HTTP_HOST="localhost")
    assert r.status_code == 200, r.content
    text = mail_outbox()[0].text
    board = reverse("urn:board", args=[cs.scrutin.uuid])
    assert "https://vote.example.gouv.fr" + board + "?q=" in text
    assert "//localhost" not in text and "//testserver" not in text
    assert "(heure de Paris)" in text and " à " in text.split("enregistré dans l'urne le")[1]
    assert "Cordialement," in text and "L'équipe chargée des élections professionnelles" in text
