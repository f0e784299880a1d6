"""``manage.py election_destroy --election PK``: at the end of the retention period, destroy
everything of the election but its candidatures and its PVs, in the three stores and its
bundles' files (ADR 0573; ``urne.site.retention``). Refused before the period's end, while a
litigation hold is set (``election_hold``), or without a bundle (``election_retain``). Run it
with the stores' owners (``URNE_DB_<STORE>_USER``): the runtime roles may not delete from
the urn."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from urne.elections.models import Election
from urne.site.retention import RetentionError, election_destroy, retention_end

REASONS = {
    "no_bundle": "no retention bundle was written (manage.py election_retain)",
    "period_running": "the retention period is not over (until {end})",
    "hold": "a litigation hold is set (manage.py election_hold --lift)",
    "destroyed": "already destroyed",
}


class Command(BaseCommand):
    help = "Destroy an election's records at the end of its retention period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--election", type=int, required=True, help="the election's id")

    def handle(self, *args: Any, election: int, **opts: Any) -> None:
        chosen = Election.objects.filter(pk=election).first()
        if chosen is None:
            raise CommandError(f"no election {election}")
        try:
            deleted = election_destroy(election=chosen, actor="system:election_destroy")
        except RetentionError as exc:
            end = retention_end(chosen)
            text = REASONS.get(exc.code, exc.code).format(end=end.isoformat() if end else "-")
            raise CommandError(f"{chosen}: refused: {text}") from exc
        for label, n in sorted(deleted.items()):
            self.stdout.write(f"{label}: {n}")
        self.stdout.write(f"{chosen}: destroyed; the candidatures and the PVs are kept")
