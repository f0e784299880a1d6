"""Recovery is scheduled (ADR 0325): the task worker settles pending émargements older than
the threshold without a human, and the task queues its next run (one chain only)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from factories.booth import ballot_make, cast_setup_make
from urne.booth.models import Emargement
from urne.booth.tasks import emargement_recover_task, recovery_schedule
from urne.crypto.ballot import parse_ballot
from urne.urn.services import urn_ballot_append

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "authority", "urn"]),
    pytest.mark.slow,
]

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _ready():
    return DBTaskResult.objects.filter(
        task_path=emargement_recover_task.module_path, status=TaskResultStatus.READY
    )


def _worker() -> None:
    call_command("db_worker", batch=True, startup_delay=False, reload=False, stdout=StringIO())


def _pending(cs, voter, *, in_urn: bool, age: timedelta) -> Emargement:
    ballot = ballot_make(cs, voter.pk, 1)
    tracker = parse_ballot(ballot).tracker
    if in_urn:  # the process died after the urn's commit, before the émargement's
        urn_ballot_append(
            scrutin_uuid=cs.scrutin.uuid, ballot=parse_ballot(ballot), ballot_text=ballot
        )
    row = Emargement.objects.create(voter=voter, scrutin=cs.scrutin, pending_tracker=tracker)
    Emargement.objects.filter(pk=row.pk).update(created_at=timezone.now() - age)
    return row


@override_settings(TASKS=DB_TASKS)
def test_the_worker_settles_old_pending_rows_and_requeues_itself():
    setup = cast_setup_make(voters=3, lists=3, seed="schedule")
    cs = setup.scrutins[0]
    a, b, c = setup.voters
    cast = _pending(cs, a, in_urn=True, age=timedelta(minutes=10))
    lost = _pending(cs, b, in_urn=False, age=timedelta(minutes=10))
    young = _pending(cs, c, in_urn=True, age=timedelta(seconds=5))

    out = StringIO()
    call_command("cast_recover", "--schedule", "--every", "60", stdout=out)
    assert "every 60 s" in out.getvalue()
    assert not recovery_schedule(every_seconds=60)  # already queued: one chain
    assert _ready().count() == 1

    _worker()
    cast.refresh_from_db()
    assert cast.state == "voted" and cast.pending_tracker == ""
    assert not Emargement.objects.filter(pk=lost.pk).exists()  # nothing cast: may vote again
    assert Emargement.objects.get(pk=young.pk).state == "pending"  # a cast in progress
    # The next run is queued, a minute later; no other.
    nxt = _ready().get()
    assert timedelta(seconds=50) < nxt.run_after - timezone.now() <= timedelta(seconds=60)

    # A minute later the young row is old: the next run settles it and queues the one after.
    Emargement.objects.filter(pk=young.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    _ready().update(run_after=timezone.now() - timedelta(seconds=1))
    _worker()
    assert Emargement.objects.get(pk=young.pk).state == "voted"
    assert not Emargement.objects.filter(state="pending").exists()
    assert _ready().count() == 1
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 2


def test_without_a_queue_the_command_says_so_and_recovery_still_runs():
    # The test settings' immediate backend has no queue: nothing to schedule on.
    out = StringIO()
    call_command("cast_recover", "--schedule", stdout=out)
    assert "no task queue" in out.getvalue()
    out = StringIO()
    call_command("cast_recover", "--older-than", "0", stdout=out)
    assert out.getvalue().startswith("voted 0, dropped 0")


@override_settings(TASKS=DB_TASKS)
def test_a_failing_run_still_queues_the_next(monkeypatch):
    from urne.booth import tasks

    def broken(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(tasks, "emargement_recover", broken)
    assert recovery_schedule(every_seconds=60)
    _worker()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == 1
    assert _ready().count() == 1  # the timer goes on
