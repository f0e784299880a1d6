"""Send the outbox messages whose retry time has come. With ``--schedule``: queue the
self-repeating sweep instead, run by the task worker every ``--every`` seconds (default: the
setting ``URNE_OUTBOX_RETRY_SECONDS``, else 60); ``make demo`` and deployments run it before
the worker."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from urne.messaging.services import outbox_retry_due
from urne.messaging.tasks import outbox_retry_interval, outbox_retry_schedule


class Command(BaseCommand):
    help = "Send the READY outbox messages whose retry time has come."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=1000)
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="queue the retry sweep, repeated by the task worker (idempotent)",
        )
        parser.add_argument(
            "--every",
            type=int,
            default=None,
            help="with --schedule: seconds between sweeps (default URNE_OUTBOX_RETRY_SECONDS, 60)",
        )

    def handle(self, *args: Any, limit: int, **options: Any) -> None:
        if options["schedule"]:
            every = options["every"] or outbox_retry_interval()
            if every <= 0:
                raise CommandError("--every must be a positive number of seconds")
            queued = outbox_retry_schedule(every_seconds=every)
            self.stdout.write(
                f"outbox retry scheduled every {every} s"
                if queued
                else "outbox retry already scheduled (or no task queue)"
            )
            return
        tried = outbox_retry_due(limit=limit)
        self.stdout.write(f"{tried} message(s) tried")
