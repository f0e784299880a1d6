"""The SMS outbox with the memory channel (ADRs 0600-0602): metadata only, the number sealed
until sent then erased, the states, receipts, the shared rate and the pauses."""

from datetime import timedelta

import pytest
from django.utils import timezone

from factories.elections import election_make, voter_make
from factories.smsc import sms_kind_for_tests, sms_text_for_tests
from urne.messaging import services
from urne.messaging.models import SmsGateway, SmsMessage
from urne.messaging.sms_channels import (
    GatewayUnavailable,
    MemorySmsChannel,
    PermanentRefusal,
    Receipt,
    Throttled,
    Uncertain,
    _receipt,
    sms_encode,
)
from urne.messaging.sms_gateway import gateway_failed, gateway_pause_left, sms_slot_take
from urne.messaging.sms_recipients import RecipientError, recipient_open, recipient_seal

pytestmark = pytest.mark.django_db
State = SmsMessage.State
PHONE = "+33612345678"


@pytest.fixture(autouse=True)
def kind():
    MemorySmsChannel.outbox.clear()
    return sms_kind_for_tests()


@pytest.fixture
def voter():
    return voter_make(election_make(style="2018"))


def _enqueue(voter, kind, **kw):
    return services.sms_enqueue(
        voter=voter, kind=kind, phone=kw.pop("phone", PHONE), metadata={"index": 1}, **kw
    )


def test_enqueue_then_dispatch_sends_and_erases_the_number(voter, kind):
    message = _enqueue(voter, kind, send=False)
    assert message.state == State.READY and message.recipient_sealed
    assert services.sms_dispatch(budget_seconds=5) is None
    [sms] = MemorySmsChannel.outbox
    assert sms.to == PHONE and sms.text == sms_text_for_tests(voter.pk, 1)
    message.refresh_from_db()
    assert message.state == State.SENT and message.attempts == 1
    assert message.gateway_id.startswith("mem-") and message.submitted_at
    assert message.recipient_sealed is None
    assert message.receipt_state == "DELIVRD" and message.receipt_at


def test_enqueue_on_commit_runs_the_dispatch_in_process(
    voter, kind, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = _enqueue(voter, kind)
    message.refresh_from_db()
    assert message.state == State.SENT and len(MemorySmsChannel.outbox) == 1


def test_row_holds_metadata_only(voter, kind):
    message = _enqueue(voter, kind, send=False)
    row = SmsMessage.objects.values().get(pk=message.pk)
    assert PHONE not in str(row) and PHONE[1:] not in str(row)
    assert row["metadata"] == {"index": 1}


@pytest.mark.parametrize("phone", ["0612345678", "+33 6 12 34 56 78", "+0612345678", "", "+3361"])
def test_number_must_be_international(voter, kind, phone):
    with pytest.raises(RecipientError):
        _enqueue(voter, kind, phone=phone, send=False)
    assert not SmsMessage.objects.exists()


@pytest.mark.parametrize("metadata", [{"code": "x" * 65}, {"nested": {"a": 1}}, {"l": [1]}])
def test_metadata_is_flat_and_small(voter, kind, metadata):
    with pytest.raises(ValueError, match="metadata"):
        services.sms_enqueue(voter=voter, kind=kind, phone=PHONE, metadata=metadata, send=False)


def test_unknown_kind_fails_at_enqueue(voter):
    with pytest.raises(KeyError):
        services.sms_enqueue(voter=voter, kind="nope", phone=PHONE, send=False)


def test_seal_is_bound_to_its_voter_and_kind():
    sealed = recipient_seal(PHONE, voter_id=7, kind="a")
    assert recipient_open(sealed, voter_id=7, kind="a") == PHONE
    for voter_id, kind in ((8, "a"), (7, "b")):
        with pytest.raises(RecipientError):
            recipient_open(sealed, voter_id=voter_id, kind=kind)
    assert recipient_seal(PHONE, voter_id=7, kind="a") != sealed  # a fresh nonce each time


def test_seal_opens_only_under_its_key(settings):
    sealed = recipient_seal(PHONE, voter_id=1, kind="a")
    settings.URNE_AUTHORITY_KEY = "another-authority-key-of-enough-length"
    with pytest.raises(RecipientError):
        recipient_open(sealed, voter_id=1, kind="a")


class ScriptedChannel(MemorySmsChannel):
    """Memory channel whose next submits raise the given errors, in order."""

    def __init__(self, *errors):
        super().__init__()
        self.errors = list(errors)
        self.opens = 0

    def open(self):
        self.opens += 1

    def submit(self, sms):
        if self.errors:
            raise self.errors.pop(0)
        return super().submit(sms)


@pytest.mark.parametrize(
    ("error", "pause"),
    [(Throttled("0x58"), 1.0), (GatewayUnavailable("down"), 1.0)],
)
def test_temporary_errors_pause_and_keep_the_message(voter, kind, error, pause):
    message = _enqueue(voter, kind, send=False)
    channel = ScriptedChannel(error)
    # Budget shorter than the pause: the run returns the pause instead of sleeping it.
    assert services.sms_dispatch(budget_seconds=0.5, channel=channel) == pytest.approx(pause, 0.2)
    message.refresh_from_db()
    assert message.state == State.READY and message.recipient_sealed and message.last_error
    assert SmsGateway.objects.get().failures == 1
    SmsGateway.objects.update(paused_until=timezone.now())
    assert services.sms_dispatch(budget_seconds=5, channel=channel) is None
    message.refresh_from_db()
    assert message.state == State.SENT and message.attempts == 2
    assert len(MemorySmsChannel.outbox) == 1
    assert SmsGateway.objects.get().failures == 0  # recovered


def test_refused_bind_pauses_without_touching_the_message(voter, kind):
    message = _enqueue(voter, kind, send=False)

    class Refusing(ScriptedChannel):
        def open(self):
            raise GatewayUnavailable("bind refused (SMPP status 0x0D)")

    assert services.sms_dispatch(budget_seconds=0.5, channel=Refusing()) > 0
    message.refresh_from_db()
    assert message.state == State.READY and message.attempts == 0
    assert "bind refused" in SmsGateway.objects.get().last_error


def test_permanent_refusal_fails_and_erases(voter, kind):
    message = _enqueue(voter, kind, send=False)
    assert (
        services.sms_dispatch(budget_seconds=5, channel=ScriptedChannel(PermanentRefusal("0x0B")))
        is None
    )
    message.refresh_from_db()
    assert message.state == State.FAILED and message.recipient_sealed is None


def test_uncertain_is_never_sent_again(voter, kind):
    message = _enqueue(voter, kind, send=False)
    channel = ScriptedChannel(Uncertain("no answer"))
    services.sms_dispatch(budget_seconds=0.5, channel=channel)
    message.refresh_from_db()
    assert message.state == State.UNCERTAIN and message.recipient_sealed is None
    SmsGateway.objects.update(paused_until=None)
    assert services.sms_dispatch(budget_seconds=5, channel=channel) is None
    assert MemorySmsChannel.outbox == []


def test_stale_sending_row_becomes_uncertain(voter, kind, settings):
    message = _enqueue(voter, kind, send=False)
    old = timezone.now() - timedelta(seconds=settings.URNE_SMS_SENDING_TIMEOUT + 1)
    SmsMessage.objects.filter(pk=message.pk).update(state=State.SENDING, sending_at=old)
    assert services.sms_dispatch(budget_seconds=5) is None
    message.refresh_from_db()
    assert message.state == State.UNCERTAIN and message.recipient_sealed is None
    assert MemorySmsChannel.outbox == []


def test_composer_failure_fails_the_message(voter):
    from urne.messaging.registry import sms_kind_register

    sms_kind_register("test.broken", lambda message: 1 / 0)
    message = services.sms_enqueue(voter=voter, kind="test.broken", phone=PHONE, send=False)
    assert services.sms_dispatch(budget_seconds=5) is None
    message.refresh_from_db()
    assert message.state == State.FAILED and message.last_error == "ZeroDivisionError"


def test_slots_are_spaced_by_the_rate(settings):
    settings.URNE_SMS_RATE_PER_SECOND = 50
    now = timezone.now()
    waits = [sms_slot_take(now=now) for _ in range(5)]
    assert waits == pytest.approx([0, 0.02, 0.04, 0.06, 0.08], abs=1e-6)
    # Later than every booked slot: no wait, and the next is one step after it.
    later = now + timedelta(seconds=1)
    assert sms_slot_take(now=later) == 0
    assert sms_slot_take(now=later) == pytest.approx(0.02, abs=1e-6)


def test_pause_doubles_up_to_its_caps(settings):
    settings.URNE_SMS_MAX_PAUSE_SECONDS = 8
    assert [gateway_failed(error="down") for _ in range(5)] == [1, 2, 4, 8, 8]
    assert 7 < gateway_pause_left() <= 8
    SmsGateway.objects.update(failures=10)
    assert gateway_failed(error="0x58", throttled=True) == 10


def sms_text_for_tests_must_fit_one_sms():
    assert sms_encode("é" * 160)[1] == 0  # GSM 03.38 holds é
    assert sms_encode("ç" * 70)[1] == 8  # UCS-2
    for text in ("a" * 161, "ç" * 71):
        with pytest.raises(PermanentRefusal):
            sms_encode(text)


class _Pdu:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def test_receipt_read_from_tlvs_or_text_and_nothing_else():
    assert _receipt(_Pdu(esm_class=4, receipted_message_id=b"42", message_state=2)) == Receipt(
        "42", "DELIVRD"
    )
    text = b"id:77 sub:001 dlvrd:000 submit date:2612031000 stat:UNDELIV err:001 text:Votre"
    assert _receipt(_Pdu(esm_class=4, short_message=text)) == Receipt("77", "UNDELIV")
    assert _receipt(_Pdu(esm_class=0, short_message=b"hello")) is None  # a voter's reply
