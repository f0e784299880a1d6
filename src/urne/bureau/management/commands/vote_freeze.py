"""``manage.py vote_freeze``: freeze every election whose vote is over (the close in force and
the grace period past, not suspended) and not yet frozen (ADR 0770); for the scheduler, at the
end of the grace period. Idempotent."""

from typing import Any

from django.core.management.base import BaseCommand

from urne.bureau.control import freezes_due


class Command(BaseCommand):
    help = "Freeze the urns, émargements and counters of every election whose vote is over."

    def handle(self, *args: Any, **options: Any) -> None:
        for freeze in freezes_due():
            self.stdout.write(f"{freeze.election}: frozen at {freeze.frozen_at.isoformat()}")
