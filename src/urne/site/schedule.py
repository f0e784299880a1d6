"""Timers on the task queue (ADR 0325): a task that queues its own next run, one chain per
task whatever the number of starts.

django-tasks-db has no periodic scheduler; a run deferred with ``run_after`` is one. Before
queueing, the chain checks that no run of the task is already waiting, so starting the chain
twice (each deployment, each ``make demo``) keeps one; two chains started at the same instant
merge at their next run.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.tasks import TaskResultStatus, task_backends
from django.utils import timezone


def _waiting(task: Any) -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=task.module_path, status=TaskResultStatus.READY
    ).exists()


def enqueue_once(task: Any, *, delay: int, **kwargs: Any) -> bool:
    """Queue ``task(**kwargs)`` to run ``delay`` seconds from now unless a run of it is
    already waiting; False when one is, or when the backend has no queue (in-process
    backends of the tests)."""
    backend = task_backends[task.backend]
    if not backend.supports_defer or _waiting(task):
        return False
    run_after = timezone.now() + timedelta(seconds=delay) if delay else None
    task.using(run_after=run_after).enqueue(**kwargs)
    return True
