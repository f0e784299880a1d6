"""Settle the pending émargements left by an interrupted cast (run at start-up and every
minute during the vote, e.g. from a systemd timer; idempotent)."""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from urne.booth.services import emargement_recover


class Command(BaseCommand):
    help = "Settle pending émargements from the urn (voted if the ballot is there, else dropped)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=120,
            help="only rows claimed at least this many seconds ago (default 120)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        r = emargement_recover(older_than=timedelta(seconds=options["older_than"]))
        self.stdout.write(f"voted {r.voted}, dropped {r.dropped}, busy {r.busy}")
