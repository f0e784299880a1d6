"""``manage.py seal_show ELECTION``: the election's seals for an expert (ADR 0750): each
fingerprint, its components' digests, who confirmed it; ``--entries`` every sealed entry and
its SHA-256; ``--check`` checks it now (audited, as the page's button); ``--export FILE``
writes the export for ``urne-seal-check``."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from urne.bureau.models import Seal
from urne.bureau.seal import seal_check, seal_export, seal_summary
from urne.elections.models import Election


class Command(BaseCommand):
    help = "Print an election's seals (fingerprint, components, confirmations) for an expert."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("election", type=int, help="the election's id")
        parser.add_argument("--entries", action="store_true", help="every entry and its hash")
        parser.add_argument("--check", action="store_true", help="check the seal now")
        parser.add_argument("--export", metavar="FILE", help="write the export (zip)")

    def handle(self, *args: Any, **options: Any) -> None:
        election = Election.objects.filter(pk=options["election"]).first()
        if election is None:
            raise CommandError(f"no election {options['election']}")
        seals = list(Seal.objects.filter(election=election).order_by("pk"))
        self.stdout.write(f"{election.name} (id {election.pk}): {len(seals)} seal(s)")
        for seal in seals:
            state = (
                f"sealed {timezone.localtime(seal.sealed_at):%Y-%m-%d %H:%M:%S %Z}"
                if seal.sealed_at
                else "awaiting confirmations"
            )
            self.stdout.write(f"\n#{seal.pk} {seal.kind}: {seal.fingerprint} ({state})")
            manifest = json.loads(seal.manifest)
            self.stdout.write(f"  audit log up to event #{manifest['meta']['audit_upto']}")
            for conf in seal.confirmations.select_related("member").order_by("at"):
                self.stdout.write(
                    f"  confirmed by {conf.member.role} {conf.member.name} "
                    f"at {timezone.localtime(conf.at):%Y-%m-%d %H:%M:%S}"
                )
            for name, entries, digest in seal_summary(seal):
                self.stdout.write(f"  {name:<12} {entries:>8} entries  {digest}")
                if options["entries"]:
                    for entry, sha in manifest["components"][name].items():
                        self.stdout.write(f"      {sha}  {entry}")
        if options["check"]:
            outcome = seal_check(election=election, actor="seal_show")
            if not outcome.checks:
                self.stdout.write("\nnot sealed: nothing to check")
            elif outcome.ok:
                self.stdout.write(self.style.SUCCESS("\nthe seal checks"))
            else:
                for change in outcome.changes:
                    self.stdout.write(self.style.ERROR(f"\nchanged {change.summary()}"))
        if options["export"]:
            sealed = [s for s in seals if s.sealed_at] or seals
            if not sealed:
                raise CommandError("no seal to export")
            with open(options["export"], "wb") as out:
                seal_export(seal=sealed[-1], out=out, actor="seal_show")
            self.stdout.write(f"\nexport of seal #{sealed[-1].pk} written to {options['export']}")
        if options["check"] and outcome.checks and not outcome.ok:
            raise CommandError("the seal does not check")
