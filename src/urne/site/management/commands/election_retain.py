"""``manage.py election_retain [--election PK] [--out DIR]``: write the retention bundle of an
election whose vote is over (ADR 0573; ``urne.site.retention``), or of every such election
without one; prints each bundle's path and fingerprint (``urne-seal-check BUNDLE
--fingerprint F`` checks it without the server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from urne.elections.calendar import vote_over
from urne.elections.models import Election
from urne.site.models import RetentionBundle
from urne.site.retention import RetentionError, retention_bundle_write


class Command(BaseCommand):
    help = "Write the sealed retention bundle of an election (or of each one without one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--election", type=int, help="the election's id")
        parser.add_argument("--out", help="the folder (URNE_VAR/retention by default)")

    def handle(self, *args: Any, election: int | None, out: str | None, **opts: Any) -> None:
        if election is not None:
            chosen = Election.objects.filter(pk=election).first()
            if chosen is None:
                raise CommandError(f"no election {election}")
            elections = [chosen]
        else:
            done = set(RetentionBundle.objects.values_list("election_id", flat=True))
            elections = [
                e
                for e in Election.objects.order_by("pk")
                if e.pk not in done and vote_over(election=e)
            ]
        for e in elections:
            try:
                bundle = retention_bundle_write(
                    election=e, actor="system:election_retain", folder=Path(out) if out else None
                )
            except RetentionError as exc:
                raise CommandError(f"{e}: {exc.code}") from exc
            r = bundle.record
            self.stdout.write(
                f"{e}: {r.path} ({r.size} bytes) fingerprint {r.fingerprint}, "
                f"kept until {r.period_end.isoformat()}"
            )
