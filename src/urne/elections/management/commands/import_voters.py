import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from urne.elections.models import Election, ImportJob
from urne.elections.voter_import import (
    ImportStats,
    import_errors_csv,
    voter_import_file_start,
    voter_import_run,
)

ACTOR = "manage.py import_voters"


class Command(BaseCommand):
    help = "Import a voter file (CSV or XLSX) into an election, with a progress bar."
    # The same services as the back office's upload (voter_import_file_start, then
    # voter_import_run): the import's rules and its audit events are written once.

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--election", type=int, help="election id (default: the only one)")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")
        parser.add_argument("--errors", type=Path, help="write the error report (CSV) here")

    def handle(self, *args: object, **opts: Any) -> None:
        path = Path(str(opts["path"]))
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        elections = Election.objects.all()
        if opts["election"]:
            elections = elections.filter(pk=opts["election"])
        if elections.count() != 1:
            raise CommandError("name the election with --election ID")
        election = elections.get()
        job = voter_import_file_start(actor=ACTOR, election=election, path=path)
        total = job.total_rows
        start = time.monotonic()

        def bar(stats: ImportStats) -> None:
            if opts["quiet"]:
                return
            done = stats.rows / total if total else 1
            rate = stats.rows / max(time.monotonic() - start, 1e-6)
            filled = int(40 * done)
            sys.stderr.write(
                f"\r[{'#' * filled}{'.' * (40 - filled)}] {stats.rows}/{total} "
                f"{rate:,.0f} rows/s, {stats.errors} errors"
            )
            sys.stderr.flush()

        job = voter_import_run(job_id=job.pk, actor=ACTOR, progress=bar)
        if not opts["quiet"]:
            sys.stderr.write("\n")
        if job.status != ImportJob.Status.DONE:
            raise CommandError(job.message)
        if opts["errors"]:
            with Path(str(opts["errors"])).open("w", encoding="utf-8") as out:
                out.writelines(import_errors_csv(job))
        elapsed = time.monotonic() - start
        self.stdout.write(
            f"{job.processed_rows} rows: {job.created_count} created, {job.updated_count} "
            f"updated, {job.error_count} errors in {elapsed:.1f} s "
            f"({job.processed_rows / max(elapsed, 1e-6):,.0f} rows/s)"
        )
