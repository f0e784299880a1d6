"""The SMS channel against a real SMPP 3.4 server (the npm package `smpp`, scripted by
tests/smsc/smsc.cjs, over TCP on 127.0.0.1; ADR 0600): the text and number as the gateway
receives them, its message id and delivery receipt recorded, its throttling answers, a refused
bind, the gateway down, a submit never answered, a refused number."""

import pytest

from factories.elections import election_make, voter_make
from factories.smsc import Smsc, smpp_settings, sms_kind_for_tests, sms_text_for_tests
from urne.messaging import services
from urne.messaging.models import SmsGateway, SmsMessage

pytestmark = pytest.mark.django_db
State = SmsMessage.State
PHONE = "+33612345678"


@pytest.fixture
def smsc(settings):
    gateway = Smsc()
    smpp_settings(settings, gateway.port, timeout=1)
    settings.URNE_SMS_FIRST_PAUSE_SECONDS = 0.05
    settings.URNE_SMS_RECEIPT_WAIT_SECONDS = 3
    yield gateway
    gateway.stop()


@pytest.fixture
def voters():
    election = election_make(style="2018")
    return [voter_make(election) for _ in range(3)]


def _enqueue(voter, index=1, phone=PHONE):
    return services.sms_enqueue(
        voter=voter, kind=sms_kind_for_tests(), phone=phone, metadata={"index": index}, send=False
    )


def test_message_reaches_the_gateway_and_its_receipt_is_recorded(smsc, voters):
    smsc.order(receipts="DELIVRD")
    message = _enqueue(voters[0])
    assert services.sms_dispatch(budget_seconds=10) is None
    [submit] = smsc.accepted()
    assert submit["to"] == PHONE[1:]  # international, without the "+" (TON international)
    assert submit["text"] == sms_text_for_tests(voters[0].pk, 1)  # GSM 03.38, é and É intact
    assert submit["data_coding"] == 0
    message.refresh_from_db()
    assert message.state == State.SENT and message.gateway_id == submit["message_id"]
    assert message.recipient_sealed is None
    assert message.receipt_state == "DELIVRD" and message.receipt_at >= message.submitted_at
    assert smsc.of("receipt") == [{"receipt": submit["message_id"], "acked": True}]


def test_undelivered_receipt_is_recorded(smsc, voters):
    smsc.order(receipts="UNDELIV")
    message = _enqueue(voters[0])
    services.sms_dispatch(budget_seconds=10)
    message.refresh_from_db()
    assert message.state == State.SENT and message.receipt_state == "UNDELIV"


def test_text_outside_gsm_goes_as_ucs2(smsc, voters):
    from urne.messaging.registry import sms_kind_register

    sms_kind_register("test.ucs2", lambda message: "Ça marche : ŵ")
    services.sms_enqueue(voter=voters[0], kind="test.ucs2", phone=PHONE, send=False)
    services.sms_dispatch(budget_seconds=10)
    [submit] = smsc.accepted()
    assert submit["text"] == "Ça marche : ŵ" and submit["data_coding"] == 8


def test_throttling_answers_are_waited_out_and_nothing_is_sent_twice(smsc, voters):
    smsc.order(throttle_next=3)
    messages = [_enqueue(v, i) for i, v in enumerate(voters)]
    assert services.sms_dispatch(budget_seconds=10) is None
    throttled = [e for e in smsc.of("submit") if e["status"] == 0x58]
    assert len(throttled) == 3
    accepted = smsc.accepted()
    assert sorted(s["text"] for s in accepted) == sorted(
        sms_text_for_tests(v.pk, i) for i, v in enumerate(voters)
    )
    assert {m.state for m in SmsMessage.objects.filter(pk__in=[m.pk for m in messages])} == {
        State.SENT
    }
    assert SmsGateway.objects.get().failures == 0


def test_refused_bind_keeps_the_messages_until_the_gateway_accepts(smsc, voters):
    smsc.order(bind="refuse")
    message = _enqueue(voters[0])
    assert services.sms_dispatch(budget_seconds=0.5) is not None  # paused, to run again
    assert smsc.of("bind")[0]["status"] == 0x0D
    message.refresh_from_db()
    assert message.state == State.READY and message.recipient_sealed
    assert "bind refused" in SmsGateway.objects.get().last_error
    smsc.order(bind="accept")
    assert services.sms_dispatch(budget_seconds=10) is None
    assert len(smsc.accepted()) == 1
    message.refresh_from_db()
    assert message.state == State.SENT


def test_gateway_down_then_back_sends_once(settings, voters):
    first = Smsc()
    port = first.port
    first.stop()  # nothing listens on the port now
    smpp_settings(settings, port, timeout=1)
    settings.URNE_SMS_FIRST_PAUSE_SECONDS = 0.05
    messages = [_enqueue(v, i) for i, v in enumerate(voters)]
    assert services.sms_dispatch(budget_seconds=0.5) is not None
    assert SmsMessage.objects.filter(state=State.READY).count() == 3
    assert "unreachable" in SmsGateway.objects.get().last_error
    gateway = Smsc(port)
    try:
        assert services.sms_dispatch(budget_seconds=10) is None
        assert len(gateway.accepted()) == 3
    finally:
        gateway.stop()
    assert {m.state for m in SmsMessage.objects.filter(pk__in=[m.pk for m in messages])} == {
        State.SENT
    }


def test_submit_never_answered_is_uncertain_and_never_resent(smsc, voters):
    smsc.order(submit="hold")
    held = _enqueue(voters[0])
    services.sms_dispatch(budget_seconds=3)
    held.refresh_from_db()
    assert held.state == State.UNCERTAIN and held.recipient_sealed is None
    smsc.order(submit="accept")
    SmsGateway.objects.update(paused_until=None)
    other = _enqueue(voters[1])
    assert services.sms_dispatch(budget_seconds=10) is None
    texts = [e["submit"]["text"] for e in smsc.of("submit")]
    assert texts.count(sms_text_for_tests(voters[0].pk, 1)) == 1
    other.refresh_from_db()
    assert other.state == State.SENT


def test_refused_number_fails_for_good(smsc, voters):
    smsc.order(submit="invalid")
    message = _enqueue(voters[0])
    assert services.sms_dispatch(budget_seconds=10) is None
    message.refresh_from_db()
    assert message.state == State.FAILED and message.last_error == "SMPP status 0x0B"
    assert message.recipient_sealed is None


def test_dispatch_is_rate_limited(smsc, settings, voters):
    settings.URNE_SMS_RATE_PER_SECOND = 20
    election = voters[0].election
    for i in range(10):
        _enqueue(voter_make(election), i)
    services.sms_dispatch(budget_seconds=10)
    assert len(smsc.accepted()) == 10
    sent = sorted(SmsMessage.objects.values_list("submitted_at", flat=True))
    # 10 slots 1/20 s apart: the last submit at least 9/20 s after the first.
    assert (sent[-1] - sent[0]).total_seconds() >= 0.45 - 0.01
