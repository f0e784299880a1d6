"""Settle the pending émargements left by an interrupted cast (idempotent). With
``--schedule``: queue the self-repeating recovery task instead, run by the task worker every
``--every`` seconds (ADR 0325; ``make demo`` and deployments run this before the worker)."""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from urne.booth.services import emargement_recover
from urne.booth.tasks import RECOVERY_EVERY_SECONDS, recovery_schedule


class Command(BaseCommand):
    help = "Settle pending émargements from the urn (voted if the ballot is there, else dropped)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=120,
            help="only rows claimed at least this many seconds ago (default 120)",
        )
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="queue the recovery task, repeated by the task worker (idempotent)",
        )
        parser.add_argument(
            "--every",
            type=int,
            default=RECOVERY_EVERY_SECONDS,
            help=f"with --schedule: seconds between runs (default {RECOVERY_EVERY_SECONDS})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            queued = recovery_schedule(
                every_seconds=options["every"], older_than_seconds=options["older_than"]
            )
            self.stdout.write(
                f"recovery scheduled every {options['every']} s"
                if queued
                else "recovery already scheduled (or no task queue)"
            )
            return
        r = emargement_recover(older_than=timedelta(seconds=options["older_than"]))
        self.stdout.write(f"voted {r.voted}, dropped {r.dropped}, busy {r.busy}")
