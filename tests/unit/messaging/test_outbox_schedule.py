"""The outbox's retry sweep runs on a timer (as the cast's recovery, ADR 0325): the task
worker sends the messages whose retry time has come, and the task queues its next run (one
chain only, however many times it is scheduled)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.tasks import TaskResultStatus
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from factories.accounts import mail_outbox, voter_with_email
from factories.elections import election_make
from urne.messaging import services
from urne.messaging.models import OutboxMessage
from urne.messaging.tasks import outbox_retry_schedule, outbox_retry_task

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
State = OutboxMessage.State


def _ready():
    return DBTaskResult.objects.filter(
        task_path=outbox_retry_task.module_path, status=TaskResultStatus.READY
    )


def _worker() -> None:
    call_command("db_worker", batch=True, startup_delay=False, reload=False, stdout=StringIO())


def _message(election, email: str, *, due_in: timedelta) -> OutboxMessage:
    """A READY message that failed once and waits for its retry time (now + ``due_in``)."""
    voter = voter_with_email(election, email)
    message = services.message_enqueue(template="accounts.opening", voter=voter, send=False)
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=1, next_attempt_at=timezone.now() + due_in
    )
    return message


@pytest.fixture
def outbox():
    emails = mail_outbox()
    emails.clear()
    yield emails
    emails.clear()


@override_settings(TASKS=DB_TASKS)
def test_the_worker_sends_due_messages_and_requeues_the_sweep(outbox):
    election = election_make(name="Élections 2022", style="2022")
    due = _message(election, "anne.durand@ac-lyon.fr", due_in=-timedelta(minutes=1))
    later = _message(election, "paul.martin@ac-lyon.fr", due_in=timedelta(minutes=2))

    out = StringIO()
    call_command("outbox_retry", "--schedule", stdout=out)
    assert out.getvalue().strip() == "outbox retry scheduled every 60 s"
    assert _ready().count() == 1

    _worker()
    due.refresh_from_db()
    assert due.state == State.SENT and due.attempts == 2
    assert [email.to for email in outbox] == ["anne.durand@ac-lyon.fr"]
    assert OutboxMessage.objects.get(pk=later.pk).state == State.READY  # not its time yet
    # The next sweep is queued, a minute later; no other.
    nxt = _ready().get()
    assert nxt.args_kwargs["kwargs"] == {"every_seconds": 60}
    assert timedelta(seconds=50) < nxt.run_after - timezone.now() <= timedelta(seconds=60)

    # Two minutes later the other message is due: the next sweep sends it and queues the next.
    OutboxMessage.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now())
    _ready().update(run_after=timezone.now() - timedelta(seconds=1))
    _worker()
    assert OutboxMessage.objects.get(pk=later.pk).state == State.SENT
    assert len(outbox) == 2
    assert _ready().count() == 1
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 2


@override_settings(TASKS=DB_TASKS, URNE_OUTBOX_RETRY_SECONDS=5)
def test_scheduling_twice_keeps_one_pending_run():
    assert outbox_retry_schedule()
    out = StringIO()
    call_command("outbox_retry", "--schedule", stdout=out)  # e.g. a second deployment
    assert "already scheduled" in out.getvalue()
    assert not outbox_retry_schedule(every_seconds=30)
    [run] = _ready()
    assert run.args_kwargs["kwargs"] == {"every_seconds": 5}  # the setting's interval

    _worker()  # nothing due: the sweep tries nothing and queues one next run, 5 s later
    [nxt] = _ready()
    assert nxt.pk != run.pk
    assert timedelta(seconds=0) < nxt.run_after - timezone.now() <= timedelta(seconds=5)
    assert DBTaskResult.objects.get(pk=run.pk).return_value == 0
    assert not outbox_retry_schedule()


@override_settings(TASKS=DB_TASKS)
def test_a_failing_sweep_still_queues_its_next_run(settings):
    settings.URNE_MAIL_CHANNEL = "urne.messaging.channels.NoSuchChannel"  # a broken deployment
    election = election_make()
    _message(election, "anne.durand@ac-lyon.fr", due_in=-timedelta(minutes=1))
    assert outbox_retry_schedule(every_seconds=60)
    _worker()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == 1
    assert _ready().count() == 1  # the timer goes on: fixing the setting is enough


def test_without_a_queue_the_command_says_so_and_the_sweep_still_runs():
    # The test settings' immediate backend has no queue: nothing to schedule on.
    out = StringIO()
    call_command("outbox_retry", "--schedule", stdout=out)
    assert "no task queue" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("outbox_retry", "--schedule", "--every", "-5", stdout=StringIO())
    out = StringIO()
    call_command("outbox_retry", stdout=out)
    assert out.getvalue().strip() == "0 message(s) tried"
