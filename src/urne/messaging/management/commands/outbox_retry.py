"""Send the outbox messages whose retry time has come (run every minute from cron/systemd)."""

from typing import Any

from django.core.management.base import BaseCommand

from urne.messaging.services import outbox_retry_due


class Command(BaseCommand):
    help = "Send the READY outbox messages whose retry time has come."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--limit", type=int, default=1000)

    def handle(self, *args: Any, limit: int, **options: Any) -> None:
        tried = outbox_retry_due(limit=limit)
        self.stdout.write(f"{tried} message(s) tried")
