import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from urne.audit.services import audit_append
from urne.elections.models import Election, ImportJob
from urne.elections.voter_import import (
    ImportFileError,
    ImportStats,
    count_rows,
    import_errors_csv,
    voters_import_file,
)


class Command(BaseCommand):
    help = "Import a voter file (CSV or XLSX) into an election, with a progress bar."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--election", type=int, help="election id (default: the only one)")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")
        parser.add_argument("--errors", type=Path, help="write the error report (CSV) here")

    def handle(self, *args: object, **opts: object) -> None:
        path = Path(str(opts["path"]))
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        elections = Election.objects.all()
        if opts["election"]:
            elections = elections.filter(pk=opts["election"])
        if elections.count() != 1:
            raise CommandError("name the election with --election ID")
        election = elections.get()
        total = count_rows(path)
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

        job = ImportJob.objects.create(
            election=election,
            filename=path.name[:255],
            path=str(path.resolve()),
            total_rows=total,
            status=ImportJob.Status.RUNNING,
        )
        try:
            stats = voters_import_file(election=election, path=path, job=job, progress=bar)
        except ImportFileError as exc:
            job.status, job.message, job.finished_at = (
                ImportJob.Status.FAILED,
                str(exc),
                timezone.now(),
            )
            job.save(update_fields=["status", "message", "finished_at"])
            raise CommandError(str(exc)) from exc
        job.status, job.finished_at = ImportJob.Status.DONE, timezone.now()
        job.save(update_fields=["status", "finished_at"])
        if opts["errors"]:
            with Path(str(opts["errors"])).open("w", encoding="utf-8") as out:
                out.writelines(import_errors_csv(job))
        if not opts["quiet"]:
            sys.stderr.write("\n")
        elapsed = time.monotonic() - start
        audit_append(
            actor="manage.py import_voters",
            action="voters.import_done",
            obj=job,
            data={
                "file": path.name,
                "rows": stats.rows,
                "created": stats.created,
                "updated": stats.updated,
                "errors": stats.errors,
            },
        )
        self.stdout.write(
            f"{stats.rows} rows: {stats.created} created, {stats.updated} updated, "
            f"{stats.errors} errors in {elapsed:.1f} s ({stats.rows / max(elapsed, 1e-6):,.0f} "
            "rows/s)"
        )
