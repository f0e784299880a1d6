"""``manage.py demo_count``: the demo's count to its end (``make demo-count``)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from urne.count.demo import demo_count
from urne.site.public_url import public_url


class Command(BaseCommand):
    help = "Close the demo vote, cast ballots if the urns are nearly empty, count and proclaim."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ballots", type=int, default=300)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            lines = demo_count(ballots=options["ballots"], log=self.stderr.write)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        lines += [
            f"Results and charts: {public_url('resultats/')}"
            f"  (English: {public_url('en/resultats/')})",
            f"National summary PV: {public_url('resultats/proces-verbal-national.pdf')};"
            " each scrutin's PV is linked from its results page.",
        ]
        self.stdout.write("\n".join(lines))
