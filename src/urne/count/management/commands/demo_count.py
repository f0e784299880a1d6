"""``manage.py demo_count``: the demo's count to its end (``make demo-count``)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from urne.count.demo import demo_count


class Command(BaseCommand):
    help = "Close the demo vote, cast ballots if the urns are nearly empty, count and proclaim."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ballots", type=int, default=300)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            lines = demo_count(ballots=options["ballots"], log=self.stderr.write)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("\n".join(lines))
