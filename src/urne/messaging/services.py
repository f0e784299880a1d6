"""Outbox writes (ADR 0204): enqueue, send one message through the state machine, run a
campaign batch by batch. Tasks take ids, are idempotent and are queued on commit. SMS
(ADRs 0600-0602): `sms_enqueue`, and `sms_dispatch`, the worker's loop over one gateway
session.
"""

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from urne.audit.services import audit_append
from urne.elections.models import Election, Voter

from .channels import Channel, PermanentError, TemporaryError, channel_get
from .models import Campaign, OutboxMessage, SmsMessage
from .registry import campaign_template_names, composer_get, preparer_get, sms_composer_get
from .sms_channels import (
    GatewayUnavailable,
    PermanentRefusal,
    Receipt,
    Sms,
    SmsChannel,
    Throttled,
    Uncertain,
    sms_channel_get,
)
from .sms_gateway import gateway_failed, gateway_pause_left, gateway_recovered, sms_slot_take
from .sms_recipients import recipient_open, recipient_seal

log = logging.getLogger(__name__)
State = OutboxMessage.State


def message_enqueue(
    *,
    template: str,
    voter: Voter | None,
    language: str = "fr",
    send: bool = True,
    metadata: dict[str, object] | None = None,
) -> OutboxMessage:
    """Create a READY row (metadata only) and queue its sending after commit. ``metadata``
    names the record the composer reads by its id ({"complaint": 12}), as an SMS row's does;
    ``voter`` is None only for a message to someone who is no known voter (an assistance
    request's address)."""
    from .tasks import message_send_task

    composer_get(template)  # unknown templates fail here, not in the worker
    with transaction.atomic():
        message = OutboxMessage.objects.create(
            template=template,
            voter=voter,
            language=language,
            metadata=_metadata_check(metadata or {}),
        )
        if send:
            transaction.on_commit(lambda: message_send_task.enqueue(message_id=message.pk))
    return message


def _backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: ``URNE_MAIL_RETRY_SECONDS``, doubling
    at each try, at most ``URNE_MAIL_RETRY_MAX_SECONDS``."""
    first = float(settings.URNE_MAIL_RETRY_SECONDS)
    longest = float(settings.URNE_MAIL_RETRY_MAX_SECONDS)
    return timedelta(seconds=min(longest, first * 2 ** max(0, attempts - 1)))


def retry_at(attempts: int, now: datetime) -> datetime:
    """When a message that failed its ``attempts``-th try is tried again."""
    return now + _backoff(attempts)


def message_send(*, message_id: int, channel: Channel | None = None) -> str:
    """Send one message; returns its new state. Idempotent: only a READY message that is due
    (or a SENDING one left behind by a crashed worker) is taken; the row is claimed in its own
    transaction so two workers never send it twice at the same time."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.URNE_MAIL_SENDING_TIMEOUT)
    with transaction.atomic():
        message = (
            # of=self: the voter is optional (an outer join, which PostgreSQL does not lock).
            OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("voter", "voter__election")
            .filter(pk=message_id)
            .first()
        )
        if message is None:
            return "busy"
        due = message.state == State.READY and (
            message.next_attempt_at is None or message.next_attempt_at <= now
        )
        crashed = message.state == State.SENDING and (message.next_attempt_at or now) <= stale
        if not (due or crashed):
            return str(message.state)
        message.state = State.SENDING
        message.attempts += 1
        message.next_attempt_at = now
        message.save(update_fields=["state", "attempts", "next_attempt_at"])
    own_channel = channel is None
    channel = channel or channel_get()
    try:
        email = composer_get(message.template)(message)
        channel.send(email)
    except PermanentError as error:
        return _finish(message, State.FAILED, str(error))
    except TemporaryError as error:
        if message.attempts >= settings.URNE_MAIL_MAX_ATTEMPTS:
            return _finish(message, State.FAILED, str(error))
        message.state = State.READY
        message.next_attempt_at = retry_at(message.attempts, timezone.now())
        message.last_error = str(error)[:200]
        message.save(update_fields=["state", "next_attempt_at", "last_error"])
        log.warning("message %s: temporary failure (%s), retry later", message.pk, error)
        return str(message.state)
    except Exception as error:  # a composer failure must not leave the row SENDING
        log.exception("message %s: cannot be composed or sent", message.pk)
        return _finish(message, State.FAILED, type(error).__name__)
    finally:
        if own_channel:
            channel.close()
    return _finish(message, State.SENT, "")


def _finish(message: OutboxMessage, state: str, error: str) -> str:
    message.state = state
    message.last_error = error[:200]
    message.sent_at = timezone.now() if state == State.SENT else None
    message.save(update_fields=["state", "last_error", "sent_at"])
    if state == State.FAILED:
        log.warning("message %s failed: %s", message.pk, error)
    return state


def outbox_retry_due(*, limit: int = 1000) -> int:
    """Send READY messages whose retry time has come (the periodic sweep); returns how many
    were tried."""
    now = timezone.now()
    ids = list(
        OutboxMessage.objects.filter(state=State.READY, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    channel = channel_get()
    try:
        for pk in ids:
            message_send(message_id=pk, channel=channel)
    finally:
        channel.close()
    return len(ids)


def campaign_start(*, actor: object, election: Election, template: str) -> Campaign:
    """Start mailing `template` to every voter of `election` (audited; one running campaign
    per election and template)."""
    from .tasks import campaign_run_task

    composer_get(template)
    if template not in campaign_template_names():
        raise ValueError(f"no campaign sends {template!r}")
    with transaction.atomic():
        running = Campaign.objects.filter(
            election=election, template=template, state=Campaign.State.RUNNING
        ).first()
        if running:
            return running
        campaign = Campaign.objects.create(
            election=election,
            template=template,
            state=Campaign.State.RUNNING,
            total=Voter.objects.filter(election=election).count(),
            started_by=str(getattr(actor, "username", actor)),
        )
        audit_append(
            actor=actor,
            action="messaging.campaign_start",
            obj=campaign,
            data={"template": template, "total": campaign.total},
        )
        transaction.on_commit(lambda: campaign_run_task.enqueue(campaign_id=campaign.pk))
    return campaign


def campaign_pause(*, actor: object, campaign: Campaign) -> None:
    with transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk, state=Campaign.State.RUNNING).update(
            state=Campaign.State.PAUSED
        )
        audit_append(actor=actor, action="messaging.campaign_pause", obj=campaign)


def campaign_resume(*, actor: object, campaign: Campaign) -> None:
    from .tasks import campaign_run_task

    with transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk, state=Campaign.State.PAUSED).update(
            state=Campaign.State.RUNNING
        )
        audit_append(actor=actor, action="messaging.campaign_resume", obj=campaign)
        transaction.on_commit(lambda: campaign_run_task.enqueue(campaign_id=campaign.pk))


def campaign_run(*, campaign_id: int, budget_seconds: float | None = None) -> bool:
    """Work on a campaign for up to `budget_seconds`: turn the next batch of voters into outbox
    rows (cursor saved in the same transaction, so a crash resumes where it stopped), then send
    that batch's rows, throttled to `URNE_MAIL_RATE_PER_SECOND`. Returns True when finished."""
    budget = settings.URNE_MAIL_TASK_BUDGET_SECONDS if budget_seconds is None else budget_seconds
    batch = settings.URNE_MAIL_BATCH_SIZE
    rate = settings.URNE_MAIL_RATE_PER_SECOND
    started = time.monotonic()
    channel = channel_get()
    sent = 0
    try:
        # At least one batch per slice, so a slice always makes progress.
        while True:
            campaign = Campaign.objects.get(pk=campaign_id)
            if campaign.state != Campaign.State.RUNNING:
                return campaign.state == Campaign.State.DONE
            # First finish what an interrupted run left behind, then take the next batch.
            pending = list(
                OutboxMessage.objects.filter(campaign=campaign, state=State.READY)
                .filter(next_attempt_at__isnull=True)
                .values_list("pk", flat=True)[:batch]
            )
            if not pending:
                pending = _campaign_next_batch(campaign, batch)
            if not pending:
                Campaign.objects.filter(pk=campaign.pk).update(
                    state=Campaign.State.DONE, finished_at=timezone.now()
                )
                return True
            for pk in pending:
                message_send(message_id=pk, channel=channel)
                sent += 1
                # Throttle: never ahead of `rate` messages per second since the start.
                ahead = sent / rate - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)
                if time.monotonic() - started >= budget:
                    break
            if time.monotonic() - started >= budget:
                return False
    finally:
        channel.close()


def _campaign_next_batch(campaign: Campaign, size: int) -> list[int]:
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        voter_ids = list(
            Voter.objects.filter(election_id=campaign.election_id, pk__gt=campaign.cursor)
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        if not voter_ids:
            return []
        prepare = preparer_get(campaign.template)
        if prepare is not None:
            prepare(voter_ids)
        OutboxMessage.objects.bulk_create(
            [
                OutboxMessage(template=campaign.template, voter_id=v, campaign=campaign)
                for v in voter_ids
            ]
        )
        campaign.cursor = voter_ids[-1]
        campaign.queued += len(voter_ids)
        campaign.save(update_fields=["cursor", "queued"])
    return list(
        OutboxMessage.objects.filter(
            campaign=campaign, voter_id__in=voter_ids, state=State.READY
        ).values_list("pk", flat=True)
    )


def campaign_progress(campaign: Campaign) -> dict[str, int]:
    """Counts by state (a selector kept here for the progress page and its JSON)."""
    counts = dict(
        OutboxMessage.objects.filter(campaign=campaign)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return {
        "total": campaign.total,
        "queued": campaign.queued,
        "sent": counts.get(State.SENT, 0),
        "failed": counts.get(State.FAILED, 0),
        "waiting": counts.get(State.READY, 0) + counts.get(State.SENDING, 0),
    }


# --- SMS (ADRs 0600-0602) --------------------------------------------------------------------
SmsState = SmsMessage.State
_METADATA_KEYS = 20
_METADATA_TEXT = 64


def sms_enqueue(
    *,
    voter: Voter,
    kind: str,
    phone: str,
    metadata: dict[str, object] | None = None,
    language: str = "fr",
    send: bool = True,
) -> SmsMessage:
    """Queue an SMS of ``kind`` to ``phone`` (international form, "+33612345678") for
    ``voter``; the kind's composer writes the text at send time from the row's ``metadata``
    (a flat dict of ids and small values, never a secret). The number is kept sealed on the
    row only until the gateway takes the message (ADR 0601). Never contacts the gateway: the
    voter's request succeeds whether the gateway is up or not, and the message follows."""
    sms_composer_get(kind)  # an unknown kind fails here, not in the worker
    metadata = _metadata_check(metadata or {})
    sealed = recipient_seal(phone, voter_id=voter.pk, kind=kind)
    with transaction.atomic():
        message = SmsMessage.objects.create(
            kind=kind, voter=voter, metadata=metadata, language=language, recipient_sealed=sealed
        )
        if send:
            transaction.on_commit(sms_dispatch_start)
    return message


def _metadata_check(metadata: dict[str, object]) -> dict[str, object]:
    if len(metadata) > _METADATA_KEYS:
        raise ValueError("too many metadata keys")
    for key, value in metadata.items():
        if not isinstance(key, str) or not (
            value is None
            or isinstance(value, bool | int)
            or (isinstance(value, str) and len(value) <= _METADATA_TEXT)
        ):
            raise ValueError("outbox metadata: flat ids and small values only")
    return metadata


def sms_dispatch_start(*, delay: float = 0) -> bool:
    """Make sure a dispatch run is coming (the queue holds at most one waiting); with an
    in-process task backend (the tests) the run happens now, unless it is to wait."""
    from django.tasks import task_backends

    from urne.site.schedule import enqueue_once

    from .tasks import sms_dispatch_task

    if not task_backends[sms_dispatch_task.backend].supports_defer:
        if delay > 0:
            return False
        sms_dispatch_task.enqueue()
        return True
    return enqueue_once(sms_dispatch_task, delay=max(0, int(delay + 0.999)))


def sms_dispatch(
    *, budget_seconds: float | None = None, channel: SmsChannel | None = None
) -> float | None:
    """Send the waiting SMS over one gateway session for up to ``budget_seconds``, at the
    shared rate, recording the gateway's ids and its delivery receipts. Returns None when
    nothing is left, else the seconds after which to run again (the gateway's pause, or 0
    when the budget ran out first).

    Each message: a slot booked (`sms_gateway.sms_slot_take`), the row claimed READY →
    SENDING in its own transaction, the text composed, the number unsealed, one submit_sm,
    then SENT with the gateway's id and the number erased. A throttling answer, a refused
    bind or a gateway down put the row back to READY and pause every worker (back-off);
    a submit without an answer (cut line, crash: the row stays SENDING) becomes UNCERTAIN
    and is never sent again (ADR 0600)."""
    budget = settings.URNE_SMS_TASK_BUDGET_SECONDS if budget_seconds is None else budget_seconds
    started = time.monotonic()
    own_channel = channel is None
    channel = channel or sms_channel_get()
    bound = False
    last_submit = 0.0
    # Gateway ids sent in this run whose receipt has not come: the session stays bound for
    # them, up to URNE_SMS_RECEIPT_WAIT_SECONDS after the last submit.
    unreceipted: set[str] = set()
    swept = -1e9
    try:
        while True:
            # The sweep of rows left SENDING by a dead worker: once a second is enough (their
            # timeout is minutes), not once an SMS (bench-sms).
            if time.monotonic() - swept >= 1:
                _sms_uncertain_sweep()
                swept = time.monotonic()
            pause = gateway_pause_left()
            if pause > 0:
                if time.monotonic() - started + pause >= budget:
                    return pause
                _wait(channel if bound else None, pause, unreceipted)
                continue
            if not _sms_due():
                awaiting = (
                    bound
                    and unreceipted
                    and time.monotonic() - last_submit < settings.URNE_SMS_RECEIPT_WAIT_SECONDS
                    and time.monotonic() - started < budget
                )
                if not awaiting:
                    return None
                _wait(channel, 0.25, unreceipted)
                continue
            if time.monotonic() - started >= budget:
                return 0.0
            if not bound:
                try:
                    channel.open()
                except GatewayUnavailable as error:
                    log.warning("SMS gateway: %s", error)
                    gateway_failed(error=str(error))
                    continue
                bound = True
            ahead = sms_slot_take()
            if ahead > 0:
                _wait(channel, ahead, unreceipted)
            outcome = _sms_send_next(channel)
            if outcome is None:
                continue
            last_submit = time.monotonic()
            if outcome in ("unavailable", "uncertain"):
                bound = False
            elif outcome not in ("throttled", "failed"):
                unreceipted.add(outcome)
            _wait(channel, 0, unreceipted)
    finally:
        if own_channel:
            channel.close()


def _wait(channel: SmsChannel | None, seconds: float, unreceipted: set[str]) -> None:
    """Wait, reading the receipts that arrive meanwhile when a session is bound."""
    if channel is None:
        time.sleep(seconds)
        return
    receipts = channel.receipts(wait=seconds)
    _receipts_record(receipts)
    unreceipted.difference_update(r.gateway_id for r in receipts)


def _sms_due() -> bool:
    return SmsMessage.objects.filter(state=SmsState.READY).exists()


def _sms_send_next(channel: SmsChannel) -> str | None:
    """Claim the oldest READY row and submit it; returns the gateway's id, or what else
    happened ("throttled", "unavailable", "uncertain", "failed"), None when another worker
    took every row first."""
    with transaction.atomic():
        message = (
            SmsMessage.objects.select_for_update(skip_locked=True)
            .filter(state=SmsState.READY)
            .order_by("pk")
            .first()
        )
        if message is None:
            return None
        message.state = SmsState.SENDING
        message.attempts += 1
        message.sending_at = timezone.now()
        message.save(update_fields=["state", "attempts", "sending_at"])
    try:
        text = sms_composer_get(message.kind)(message)
        phone = recipient_open(
            bytes(message.recipient_sealed or b""), voter_id=message.voter_id, kind=message.kind
        )
        gateway_id = channel.submit(Sms(to=phone, text=text, reference=message.pk))
    except Throttled as error:
        _sms_again(message, str(error))
        gateway_failed(error=str(error), throttled=True)
        return "throttled"
    except GatewayUnavailable as error:
        _sms_again(message, str(error))
        log.warning("SMS %s: gateway unavailable (%s), will retry", message.pk, error)
        gateway_failed(error=str(error))
        return "unavailable"
    except Uncertain as error:
        _sms_end(message, SmsState.UNCERTAIN, str(error))
        gateway_failed(error=str(error))
        return "uncertain"
    except PermanentRefusal as error:
        _sms_end(message, SmsState.FAILED, str(error))
        return "failed"
    except Exception as error:  # a composer failure must not leave the row SENDING
        log.warning("SMS %s: cannot be composed (%s)", message.pk, type(error).__name__)
        _sms_end(message, SmsState.FAILED, type(error).__name__)
        return "failed"
    SmsMessage.objects.filter(pk=message.pk).update(
        state=SmsState.SENT,
        gateway_id=gateway_id[:65],
        submitted_at=timezone.now(),
        recipient_sealed=None,
        last_error="",
    )
    gateway_recovered()
    return gateway_id[:65]


def _sms_again(message: SmsMessage, error: str) -> None:
    """Back to READY: the gateway did not take it (the pause spaces the next try)."""
    SmsMessage.objects.filter(pk=message.pk, state=SmsState.SENDING).update(
        state=SmsState.READY, sending_at=None, last_error=error[:200]
    )


def _sms_end(message: SmsMessage, state: str, error: str) -> None:
    SmsMessage.objects.filter(pk=message.pk).update(
        state=state, recipient_sealed=None, last_error=error[:200]
    )
    log.warning("SMS %s: %s (%s)", message.pk, state, error)


def _sms_uncertain_sweep() -> int:
    """Rows SENDING for longer than `URNE_SMS_SENDING_TIMEOUT` (their worker died between the
    claim and the gateway's answer) become UNCERTAIN, their number erased: never resent."""
    stale = timezone.now() - timedelta(seconds=settings.URNE_SMS_SENDING_TIMEOUT)
    return SmsMessage.objects.filter(state=SmsState.SENDING, sending_at__lt=stale).update(
        state=SmsState.UNCERTAIN, recipient_sealed=None, last_error="interrupted while sending"
    )


def _receipts_record(receipts: list[Receipt]) -> int:
    """Record delivery receipts on their rows (state and time only; the receipt's text is
    never read past its id and state). Unknown ids are ignored."""
    now = timezone.now()
    done = 0
    for receipt in receipts:
        done += SmsMessage.objects.filter(gateway_id=receipt.gateway_id).update(
            receipt_state=receipt.state, receipt_at=now
        )
    return done
