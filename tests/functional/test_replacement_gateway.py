"""The new identifier when the SMS gateway fails (ADRs 0600, 0610), against the real SMPP
server of the tests (tests/smsc/smsc.cjs): the gateway down, refusing the bind, or throttling
us. The voter's request is accepted and the page says the SMS will follow; the message waits
(sealed), goes out once when the gateway is back, never twice; a second request made meanwhile
sends only the latest code. A worker killed while sending: tests/faults/test_sms_worker_killed.py
(the same outbox and dispatch)."""

import html
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from factories.accounts import voter_client_login
from factories.authority import booth_election_make
from factories.smsc import Smsc, smpp_settings
from urne.authority import services as authority
from urne.messaging import services as messaging
from urne.messaging.models import SmsGateway, SmsMessage

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "authority", "urn"])
URL = "/nouvel-identifiant/"
FOLLOW = "votre nouvel identifiant vous sera envoyé par SMS dès que possible"
NORMAL = "Un SMS vous a été envoyé, vous le recevrez dans quelques minutes."


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def world(settings):
    settings.URNE_SMS_FIRST_PAUSE_SECONDS = 0.05
    settings.URNE_SMS_RECEIPT_WAIT_SECONDS = 0
    # The dispatch runs inside the request with the tests' in-process tasks: a short budget.
    settings.URNE_SMS_TASK_BUDGET_SECONDS = 0.3
    election, _scrutins, voters, cset = booth_election_make(style="2018", voters=2)
    election.lists_from = timezone.now() - timedelta(days=2)
    election.save()
    return voters, cset


def _request(client, voter, phone="06 12 34 56 78"):
    voter_client_login(client, voter)
    data = {
        "phone": phone,
        "numen": voter.numen,
        "birth_date": voter.birth_date.strftime("%d/%m/%Y"),
        "captcha": "",
    }
    return html.unescape(client.post(URL, data, follow=True).content.decode())


def _back_and_drain():
    SmsGateway.objects.update(paused_until=None)
    assert messaging.sms_dispatch(budget_seconds=10) is None
    # A second run finds nothing to send: never twice.
    assert messaging.sms_dispatch(budget_seconds=2) is None


def _code_in(submit):
    return re.search(r"de vote : ([A-Z0-9-]{29})", submit["text"]).group(1)


def test_gateway_down_the_message_follows_once(client, settings, world):
    voters, cset = world
    probe = Smsc()
    port = probe.port
    probe.stop()  # nothing listens there now
    smpp_settings(settings, port, timeout=1)
    assert FOLLOW in _request(client, voters[0])
    [row] = SmsMessage.objects.all()
    assert row.state == SmsMessage.State.READY and row.recipient_sealed
    gateway = Smsc(port)
    try:
        _back_and_drain()
        [submit] = gateway.accepted()
        # Once the gateway took a message, the next voter is told "in a few minutes" again.
        assert NORMAL in _request(client, voters[1], phone="06 12 34 56 79")
        assert len(gateway.accepted()) == 2
    finally:
        gateway.stop()
    assert _code_in(submit) == authority.code_derive(
        credential_set=cset, voter_id=voters[0].pk, index=1
    )
    row.refresh_from_db()
    assert row.state == SmsMessage.State.SENT and row.recipient_sealed is None


@pytest.mark.parametrize("order", [{"bind": "refuse"}, {"throttle_next": 1000}])
def test_gateway_refusing_or_throttling_the_message_follows_once(client, settings, world, order):
    voters, _ = world
    gateway = Smsc()
    try:
        smpp_settings(settings, gateway.port, timeout=1)
        gateway.order(**order)
        assert FOLLOW in _request(client, voters[0])
        assert gateway.accepted() == []
        assert SmsMessage.objects.get().state == SmsMessage.State.READY
        gateway.order(bind="accept", throttle_next=0)
        _back_and_drain()
        assert len(gateway.accepted()) == 1
    finally:
        gateway.stop()
    assert SmsMessage.objects.get().state == SmsMessage.State.SENT


def test_two_requests_while_the_gateway_is_down_send_only_the_latest_code(client, settings, world):
    voters, cset = world
    probe = Smsc()
    port = probe.port
    probe.stop()
    smpp_settings(settings, port, timeout=1)
    assert FOLLOW in _request(client, voters[0])
    SmsGateway.objects.update(paused_until=None)
    assert FOLLOW in _request(client, voters[0])
    gateway = Smsc(port)
    try:
        _back_and_drain()
        [submit] = gateway.accepted()
    finally:
        gateway.stop()
    assert _code_in(submit) == authority.code_derive(
        credential_set=cset, voter_id=voters[0].pk, index=2
    )
    states = list(SmsMessage.objects.order_by("pk").values_list("state", flat=True))
    assert states == ["failed", "sent"]
