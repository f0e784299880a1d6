"""``manage.py count_recount ELECTION [--archives DIR]``: every proclaimed result and its seats
recomputed from the published archives alone and compared with the proclamation (ADR 0802).
Exit status 0 when all agree, 1 otherwise."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from urne.count.recount import recount
from urne.elections.models import Election


class Command(BaseCommand):
    help = "Recount every proclaimed scrutin from its archive and compare with the proclamation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("election", type=int)
        parser.add_argument(
            "--archives", type=Path, help="folder of the published <uuid>.bel (default: the urn)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        election = Election.objects.filter(pk=options["election"]).first()
        if election is None:
            raise CommandError(f"no election {options['election']}")
        total = wrong = 0
        for r in recount(election=election, archives=options["archives"]):
            total += 1
            if r.difference:
                wrong += 1
                self.stdout.write(f"DIFFERS {r.uuid} {r.scrutin}: {r.difference}")
            else:
                self.stdout.write(f"ok      {r.uuid} {r.scrutin}: {r.counts}")
        self.stdout.write(f"{total} scrutins recounted, {wrong} differ")
        if wrong:
            raise SystemExit(1)
