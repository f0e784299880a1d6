"""A receipt e-mail whose sending failed (the relay down) waits in the outbox and goes out
with the retry sweep, once, composed again from the stores: the voter store keeps the
voter, the scrutin and the state, never the tracker (ADR 0586)."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from factories.accounts import mail_clear, mail_outbox, voter_client_login
from factories.booth import ballot_make, cast_setup_make
from urne.crypto.ballot import parse_ballot
from urne.messaging.channels import MemoryChannel, TemporaryError
from urne.messaging.models import OutboxMessage
from urne.messaging.services import outbox_retry_due

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])


@pytest.fixture
def world():
    mail_clear()
    yield cast_setup_make(voters=2, lists=3, scrutins=2)
    mail_clear()


def _relay_down(monkeypatch) -> None:
    def refused(self, email):
        raise TemporaryError("ConnectionRefusedError")

    monkeypatch.setattr(MemoryChannel, "send", refused)


def _cast(voter, cs, language="fr") -> str:
    client = Client()
    voter_client_login(client, voter)
    client.cookies.load({"django_language": language})
    ballot = ballot_make(cs, voter.pk, 1)
    with translation.override(language):
        url = reverse("booth:cast")
    body = json.dumps({"scrutin": cs.scrutin.uuid, "ballot": ballot})
    r = client.post(url, body, content_type="application/json")
    assert r.status_code == 200, r.content
    return parse_ballot(ballot).tracker


def test_a_receipt_not_sent_waits_and_goes_out_once_in_the_voters_language(
    world, monkeypatch, settings
):
    voter = world.voters[0]
    _relay_down(monkeypatch)
    before = timezone.now()
    trackers = [_cast(voter, world.scrutins[0]), _cast(voter, world.scrutins[1], "en")]
    rows = list(OutboxMessage.objects.filter(voter=voter).order_by("pk"))
    assert [(r.template, r.state, r.attempts) for r in rows] == [("cast_receipt", "ready", 1)] * 2
    assert [r.metadata for r in rows] == [{"scrutin": cs.scrutin.uuid} for cs in world.scrutins]
    assert [r.language for r in rows] == ["fr", "en"]
    assert all(r.last_error == "TemporaryError" for r in rows)
    # The first retry after URNE_MAIL_RETRY_SECONDS; no tracker anywhere in the voter store.
    assert all(
        before + timedelta(seconds=29) < r.next_attempt_at < timezone.now() + timedelta(seconds=31)
        for r in rows
    )
    stored = json.dumps(list(OutboxMessage.objects.values()), default=str)
    assert not any(t in stored for t in trackers)

    assert outbox_retry_due() == 0  # not due yet
    monkeypatch.undo()  # the relay is back
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    assert outbox_retry_due() == 2
    sent = mail_outbox()
    assert len(sent) == 2 and [m.to for m in sent] == [voter.email] * 2
    assert trackers[0] in sent[0].text and "Accusé de réception" in sent[0].subject
    assert trackers[1] in sent[1].text and sent[1].subject == "Receipt of your vote"
    assert all(not m.keep for m in sent)  # no channel keeps a copy
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {"sent"}
    assert outbox_retry_due() == 0 and len(mail_outbox()) == 2  # never twice


def test_the_retry_waits_double_each_time_up_to_the_longest(settings):
    from urne.messaging.services import retry_at

    settings.URNE_MAIL_RETRY_SECONDS = 30
    settings.URNE_MAIL_RETRY_MAX_SECONDS = 3600
    now = timezone.now()
    waits = [(retry_at(n, now) - now).total_seconds() for n in range(1, 10)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    # The default schedule: the fifth and last try 7.5 min after the first, a relay down
    # five minutes loses nothing.
    assert sum(waits[:4]) == 450 and settings.URNE_MAIL_MAX_ATTEMPTS == 5
    settings.URNE_MAIL_RETRY_SECONDS = 0.5
    settings.URNE_MAIL_RETRY_MAX_SECONDS = 1
    assert [(retry_at(n, now) - now).total_seconds() for n in (1, 2, 3)] == [0.5, 1, 1]


def test_no_campaign_sends_receipts(world):
    from urne.messaging.registry import campaign_template_names
    from urne.messaging.services import campaign_start

    assert "cast_receipt" not in campaign_template_names()
    assert "accounts.opening" in campaign_template_names()
    with pytest.raises(ValueError):
        campaign_start(actor="x", election=world.voters[0].election, template="cast_receipt")
