"""Background jobs of the booth (and, on the same timer, old rate-limit counters dropped).

Recovery is scheduled (ADR 0325): ``emargement_recover_task`` settles the pending émargements
left by an interrupted cast, then, when called with ``every_seconds``, queues its next run
that many seconds later, unless a run is already queued: one chain, whatever the number of
starts. ``recovery_schedule`` starts the chain (``manage.py cast_recover --schedule``, run
by ``make demo`` and at each deployment before the worker); it is idempotent too."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.tasks import task

from urne.bureau.participation import participation_compact
from urne.site.ratelimit import rate_counters_purge
from urne.site.schedule import enqueue_once

from .services import emargement_recover

#: Seconds between two scheduled recoveries, and the age of a pending row it settles.
RECOVERY_EVERY_SECONDS = 60
RECOVERY_OLDER_THAN_SECONDS = 120


@task()
def emargement_recover_task(
    older_than_seconds: int = RECOVERY_OLDER_THAN_SECONDS, every_seconds: int = 0
) -> dict[str, int]:
    """Settle pending émargements from the urn (idempotent; safe to run at any time); with
    ``every_seconds``, queue the next run."""
    try:
        r = emargement_recover(older_than=timedelta(seconds=older_than_seconds))
        rate_counters_purge()  # housekeeping of the rate limits' counters, on the same timer
        participation_compact()  # the bureau's participation counters (ADR 0771), likewise
    finally:
        # Even after a failed run (a database hiccup): a timer that stopped at the first
        # error would leave interrupted casts pending until a human noticed.
        if every_seconds > 0:
            transaction.on_commit(
                lambda: _enqueue(older_than_seconds, every_seconds, delay=every_seconds)
            )
    return {"voted": r.voted, "dropped": r.dropped, "busy": r.busy, "frozen": r.frozen}


def _enqueue(older_than_seconds: int, every_seconds: int, *, delay: int) -> bool:
    return enqueue_once(
        emargement_recover_task,
        delay=delay,
        older_than_seconds=older_than_seconds,
        every_seconds=every_seconds,
    )


def recovery_schedule(
    *, every_seconds: int | None = None, older_than_seconds: int | None = None
) -> bool:
    """Start the chain of scheduled recoveries (first run now); False when one is already
    queued or the task backend has no queue."""
    every = every_seconds or getattr(settings, "URNE_CAST_RECOVERY_EVERY", RECOVERY_EVERY_SECONDS)
    older = older_than_seconds
    if older is None:
        older = getattr(settings, "URNE_CAST_RECOVERY_OLDER_THAN", RECOVERY_OLDER_THAN_SECONDS)
    return _enqueue(older, every or RECOVERY_EVERY_SECONDS, delay=0)
