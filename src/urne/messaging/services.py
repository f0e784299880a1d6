"""Outbox writes (ADR 0204): enqueue, send one message through the state machine, run a
campaign batch by batch. Tasks take ids, are idempotent and are queued on commit.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from urne.audit.services import audit_append
from urne.elections.models import Election, Voter

from .channels import Channel, PermanentError, TemporaryError, channel_get
from .models import Campaign, OutboxMessage
from .registry import composer_get, preparer_get

log = logging.getLogger(__name__)
State = OutboxMessage.State


def message_enqueue(
    *, template: str, voter: Voter, language: str = "fr", send: bool = True
) -> OutboxMessage:
    """Create a READY row (metadata only) and queue its sending after commit."""
    from .tasks import message_send_task

    composer_get(template)  # unknown templates fail here, not in the worker
    with transaction.atomic():
        message = OutboxMessage.objects.create(template=template, voter=voter, language=language)
        if send:
            transaction.on_commit(lambda: message_send_task.enqueue(message_id=message.pk))
    return message


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def message_send(*, message_id: int, channel: Channel | None = None) -> str:
    """Send one message; returns its new state. Idempotent: only a READY message that is due
    (or a SENDING one left behind by a crashed worker) is taken; the row is claimed in its own
    transaction so two workers never send it twice at the same time."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.URNE_MAIL_SENDING_TIMEOUT)
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
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
        message.next_attempt_at = timezone.now() + _backoff(message.attempts)
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
