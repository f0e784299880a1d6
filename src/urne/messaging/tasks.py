"""Outbox tasks: ids only, idempotent (message_send claims the row; campaigns resume at their
cursor).

The retry sweep runs on a timer, as the cast's recovery does (ADR 0325): ``outbox_retry_task``
sends the messages whose retry time has come, then, when called with ``every_seconds``, queues
its next run that many seconds later unless a run is already queued: one chain, whatever the
number of starts (two chains started at the same instant merge at their next run).
``outbox_retry_schedule`` starts the chain (``manage.py outbox_retry --schedule``, run by
``make demo`` and at each deployment before the worker); it is idempotent too.

SMS (ADR 0600): ``sms_dispatch_task`` is one run of the dispatch loop over one gateway session;
it queues its next run while messages wait (after the gateway's pause, if any). Each sweep
also starts a run when SMS wait, so a run lost with its worker is replaced within a minute."""

from django.conf import settings
from django.db import transaction
from django.tasks import task

from urne.site.schedule import enqueue_once

from .services import (
    campaign_run,
    message_send,
    outbox_retry_due,
    sms_dispatch,
    sms_dispatch_start,
)

#: Seconds between two sweeps unless the setting ``URNE_OUTBOX_RETRY_SECONDS`` says otherwise;
#: the shortest back-off is 30 s, so a minute keeps a retry at most a minute late.
RETRY_EVERY_SECONDS = 60


@task()
def message_send_task(*, message_id: int) -> str:
    return message_send(message_id=message_id)


@task()
def campaign_run_task(*, campaign_id: int) -> None:
    """One slice of a campaign; queues the next slice until the campaign is done or paused."""
    if not campaign_run(campaign_id=campaign_id):
        from .models import Campaign

        if Campaign.objects.filter(pk=campaign_id, state=Campaign.State.RUNNING).exists():
            transaction.on_commit(lambda: campaign_run_task.enqueue(campaign_id=campaign_id))


@task()
def outbox_retry_task(*, every_seconds: int = 0) -> int:
    """Send the READY messages whose retry time has come (idempotent: each row is claimed);
    with ``every_seconds``, queue the next sweep. Returns how many messages were tried."""
    try:
        return outbox_retry_due()
    finally:
        # Even after a failed sweep (channel misconfigured, database hiccup): a timer that
        # stopped at the first error would leave every later retry waiting for a human.
        if every_seconds > 0:
            transaction.on_commit(lambda: _retry_enqueue(every_seconds, delay=every_seconds))
        _sms_resume()


@task()
def sms_dispatch_task() -> None:
    """One dispatch run; the next one is queued while SMS wait."""
    again = sms_dispatch()
    if again is not None:
        transaction.on_commit(lambda: sms_dispatch_start(delay=again))


def _sms_resume() -> None:
    from .models import SmsMessage

    waiting = SmsMessage.objects.filter(
        state__in=(SmsMessage.State.READY, SmsMessage.State.SENDING)
    ).exists()
    if waiting:
        transaction.on_commit(sms_dispatch_start)


def _retry_enqueue(every_seconds: int, *, delay: int) -> bool:
    return enqueue_once(outbox_retry_task, delay=delay, every_seconds=every_seconds)


def outbox_retry_interval() -> int:
    """Seconds between two scheduled sweeps: the setting, else a minute."""
    return int(getattr(settings, "URNE_OUTBOX_RETRY_SECONDS", RETRY_EVERY_SECONDS))


def outbox_retry_schedule(*, every_seconds: int | None = None) -> bool:
    """Start the chain of scheduled sweeps (first run now, then every ``every_seconds``,
    default ``outbox_retry_interval()``); False when one is already queued or the task
    backend has no queue."""
    every = every_seconds or outbox_retry_interval()
    if every <= 0:
        raise ValueError("the outbox retry interval must be positive")
    return _retry_enqueue(every, delay=0)
