"""Outbox tasks: ids only, idempotent (message_send claims the row; campaigns resume at their
cursor)."""

from django.db import transaction
from django.tasks import task

from .services import campaign_run, message_send, outbox_retry_due


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
def outbox_retry_task() -> int:
    return outbox_retry_due()
