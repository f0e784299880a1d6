"""``manage.py election_hold --election PK (--set REASON | --lift REASON | --show)``: set or
lift the litigation hold of an election (an appeal pending stops its destruction; ADR 0573).
Both audited."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from urne.elections.models import Election
from urne.site.retention import (
    RetentionError,
    hold_current,
    litigation_hold_lift,
    litigation_hold_set,
)


class Command(BaseCommand):
    help = "Set or lift an election's litigation hold (an appeal pending)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--election", type=int, required=True, help="the election's id")
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--set", metavar="REASON", help="the appeal (court, reference)")
        what.add_argument("--lift", metavar="REASON", help="why it is lifted (the decision)")
        what.add_argument("--show", action="store_true")
        parser.add_argument("--by", default="", help="who acts (written in the audit log)")

    def handle(self, *args: Any, election: int, **opts: Any) -> None:
        chosen = Election.objects.filter(pk=election).first()
        if chosen is None:
            raise CommandError(f"no election {election}")
        actor = f"operator:{opts['by']}" if opts["by"] else "system:election_hold"
        try:
            if opts["set"] is not None:
                hold = litigation_hold_set(election=chosen, reason=opts["set"], actor=actor)
                self.stdout.write(f"{chosen}: hold set ({hold.reason})")
            elif opts["lift"] is not None:
                hold = litigation_hold_lift(election=chosen, reason=opts["lift"], actor=actor)
                self.stdout.write(f"{chosen}: hold lifted ({hold.lift_reason})")
            else:
                current = hold_current(chosen)
                self.stdout.write(
                    f"{chosen}: hold set on {current.set_at.isoformat()} ({current.reason})"
                    if current
                    else f"{chosen}: no hold"
                )
        except RetentionError as exc:
            raise CommandError(f"{chosen}: refused: {exc.code}") from exc
