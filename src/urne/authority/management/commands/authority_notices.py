"""Write an election's vote-code notices as PDF print batches into a folder the printer
takes away (the platform keeps nothing): ``manage.py authority_notices ELECTION_ID OUT``."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from urne.audit.services import audit_append
from urne.authority.notices import DEFAULT_BATCH, notice_batches, notices_write
from urne.elections.models import Election


class Command(BaseCommand):
    help = "Write the vote-code notices (PDF, one page per voter) in print batches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("election_id", type=int)
        parser.add_argument("out", type=Path)
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH)

    def handle(self, *args: object, **opts: Any) -> None:
        election = Election.objects.get(pk=opts["election_id"])
        out = Path(str(opts["out"]))
        out.mkdir(parents=True, exist_ok=True)
        batches = notice_batches(election_id=election.pk, size=int(str(opts["batch_size"])))
        total = sum(len(b.voter_ids) for b in batches)
        done = 0
        for batch in batches:
            path = out / f"avis-{election.pk}-lot-{batch.number:04d}.pdf"
            with path.open("wb") as fh:
                pages = notices_write(election=election, voter_ids=batch.voter_ids, out=fh)
            path.chmod(0o600)
            done += len(batch.voter_ids)
            self.stderr.write(
                f"  lot {batch.number}/{len(batches)}: {pages} avis, {done}/{total} "
                f"({100 * done // max(total, 1)} %) → {path}"
            )
        audit_append(
            actor="manage.py authority_notices",
            action="authority.notices_printed",
            obj=election,
            data={"batches": len(batches), "voters": total},
        )
