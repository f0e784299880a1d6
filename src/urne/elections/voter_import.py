"""Voter file import (CSV or XLSX), streaming, idempotent by NUMEN.

The file is read row by row (never whole in memory); valid rows are upserted in batches
(INSERT … ON CONFLICT (election, numen) DO UPDATE, on SQLite and PostgreSQL alike), each
batch in its own transaction so progress is visible and a crash loses at most one batch
(importing the same file again finishes the job: re-import updates by NUMEN). Each invalid
row becomes a line of the error report the manager downloads.
"""

import csv
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.tasks import task
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from urne.audit.services import audit_append

from .geography import ACADEMIES
from .models import Civility, Election, ImportJob, ImportRowError, Voter, VoterCategory

BATCH_SIZE = 2000
NUMEN_RE = re.compile(r"^[0-9]{2}[A-Z][0-9]{7}[A-Z]{3}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9]{9,15}$")

FIELDS = (
    "numen",
    "civility",
    "last_name",
    "first_name",
    "birth_date",
    "email",
    "category",
    "corps",
    "grade",
    "academie",
    "departement",
    "establishment",
    "mobile",
)
OPTIONAL = {"mobile", "corps", "grade", "establishment"}


def _key(text: str) -> str:
    """Header or name as a comparison key: no accents, case, spaces or punctuation."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


HEADER_ALIASES = {
    "numen": "numen",
    "civilite": "civility",
    "civility": "civility",
    "nom": "last_name",
    "nomdefamille": "last_name",
    "lastname": "last_name",
    "prenom": "first_name",
    "firstname": "first_name",
    "datedenaissance": "birth_date",
    "birthdate": "birth_date",
    "courrielprofessionnel": "email",
    "courriel": "email",
    "email": "email",
    "mel": "email",
    "emailprofessionnel": "email",
    "adresseelectroniqueprofessionnelle": "email",
    "categorie": "category",
    "category": "category",
    "corps": "corps",
    "grade": "grade",
    "academie": "academie",
    "departement": "departement",
    "etablissement": "establishment",
    "establishment": "establishment",
    "telephonemobile": "mobile",
    "mobile": "mobile",
    "portable": "mobile",
    "telephone": "mobile",
    "mobilephone": "mobile",
}
CIVILITIES = {
    "m": Civility.MONSIEUR,
    "mr": Civility.MONSIEUR,
    "monsieur": Civility.MONSIEUR,
    "mme": Civility.MADAME,
    "madame": Civility.MADAME,
    "mrs": Civility.MADAME,
    "f": Civility.MADAME,
    "h": Civility.MONSIEUR,
}
ACADEMIE_KEYS = {_key(a): a for a in ACADEMIES}
DEPARTEMENTS = {code: a for a, deps in ACADEMIES.items() for code in deps}


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, headers); no row is imported."""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def header_map(header: list[str]) -> list[str | None]:
    mapped = [HEADER_ALIASES.get(_key(h)) for h in header]
    missing = [f for f in FIELDS if f not in mapped and f not in OPTIONAL]
    if missing:
        raise ImportFileError(_("Colonnes manquantes : %(cols)s.") % {"cols": ", ".join(missing)})
    return mapped


def rows_csv(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        delimiter = max(";,\t", key=f.readline().count)
        f.seek(0)  # resets the decoder too, so a BOM is skipped again
        yield from csv.reader(f, delimiter=delimiter)


def _open_xlsx(path: Path, **kwargs: Any) -> Any:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(path, read_only=True, **kwargs)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(_("Fichier XLSX illisible : %(e)s") % {"e": exc}) from exc


def rows_xlsx(path: Path) -> Iterator[list[str]]:
    wb = _open_xlsx(path, data_only=True)
    try:
        ws = wb.worksheets[0]
        for row in ws.iter_rows(values_only=True):
            yield [_cell(v) for v in row]
    finally:
        wb.close()


def count_rows(path: Path) -> int:
    """Data rows, for the progress bar (a fast newline count; XLSX: the sheet's dimension)."""
    if path.suffix.lower() == ".xlsx":
        wb = _open_xlsx(path)
        try:
            ws = wb.worksheets[0]
            rows = ws.max_row
            if not rows or rows <= 1:
                # Some writers omit the sheet's dimension: count the rows instead.
                rows = sum(1 for _ in ws.iter_rows(values_only=True))
            return max(0, rows - 1)
        finally:
            wb.close()
    n, last = 0, b"\n"
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            n += chunk.count(b"\n")
            last = chunk[-1:]
    return max(0, n - 1 + (last != b"\n"))


def _parse_date(text: str) -> date:
    if "/" in text:
        d, m, y = text.split("/")
        return date(int(y), int(m), int(d))
    return date.fromisoformat(text[:10])


# Column order of the upsert; a row travels as a slotted dataclass, not a model instance
# (building a million Django models costs more than the database writes).
COLUMNS = (
    "numen",
    "civility",
    "last_name",
    "first_name",
    "birth_date",
    "email",
    "category_id",
    "corps",
    "grade",
    "academie",
    "departement",
    "establishment",
    "mobile",
)


@dataclass(slots=True)
class VoterRow:
    numen: str
    civility: str
    last_name: str
    first_name: str
    birth_date: date
    email: str
    category_id: int
    corps: str
    grade: str
    academie: str
    departement: str
    establishment: str
    mobile: str


@dataclass
class RowResult:
    voter: VoterRow | None
    errors: list[str]


def row_parse(values: dict[str, str], *, categories: dict[str, int]) -> RowResult:
    """One row to a VoterRow, or the list of what is wrong with it (French)."""
    errors: list[str] = []
    numen = values.get("numen", "").upper()
    if not NUMEN_RE.match(numen):
        errors.append(
            _("NUMEN invalide « %(v)s » (attendu : 2 chiffres, 1 lettre, 7 chiffres, 3 lettres).")
            % {"v": values.get("numen", "")}
        )
    civility = CIVILITIES.get(_key(values.get("civility", "")))
    if civility is None:
        errors.append(_("Civilité invalide « %(v)s » (M. ou Mme).") % {"v": values.get("civility")})
    last_name, first_name = values.get("last_name", ""), values.get("first_name", "")
    if not last_name or not first_name:
        errors.append(_("Nom et prénom sont obligatoires."))
    birth_date = None
    try:
        birth_date = _parse_date(values.get("birth_date", ""))
        if not 1900 <= birth_date.year <= timezone.now().year - 14:
            raise ValueError
    except ValueError:
        errors.append(
            _("Date de naissance invalide « %(v)s » (jj/mm/aaaa).")
            % {"v": values.get("birth_date", "")}
        )
    email = values.get("email", "").lower()
    if not EMAIL_RE.match(email) or len(email) > 254:
        errors.append(_("Courriel professionnel invalide « %(v)s ».") % {"v": email})
    category_id = categories.get(_key(values.get("category", "")))
    if category_id is None:
        errors.append(
            _("Catégorie inconnue « %(v)s » : elle doit être une ligne des règles « qui vote où ».")
            % {"v": values.get("category", "")}
        )
    academie = ACADEMIE_KEYS.get(_key(values.get("academie", "")))
    if academie is None:
        errors.append(_("Académie inconnue « %(v)s ».") % {"v": values.get("academie", "")})
    departement = values.get("departement", "").upper()
    if departement.isdigit() and len(departement) == 1:
        departement = "0" + departement
    if departement not in DEPARTEMENTS:
        errors.append(_("Département inconnu « %(v)s ».") % {"v": values.get("departement", "")})
    elif academie is not None and DEPARTEMENTS[departement] != academie:
        errors.append(
            _("Le département %(d)s n'appartient pas à l'académie %(a)s.")
            % {"d": departement, "a": academie}
        )
    mobile = re.sub(r"[\s.\-]", "", values.get("mobile", ""))
    if mobile and not PHONE_RE.match(mobile):
        errors.append(_("Téléphone mobile invalide « %(v)s ».") % {"v": values.get("mobile")})
    if errors or civility is None or category_id is None or academie is None:
        return RowResult(None, errors)  # each None above came with its error
    return RowResult(
        VoterRow(
            numen=numen,
            civility=civility,
            last_name=last_name[:100],
            first_name=first_name[:100],
            birth_date=birth_date,  # type: ignore[arg-type]
            email=email,
            category_id=category_id,
            corps=values.get("corps", "")[:100],
            grade=values.get("grade", "")[:100],
            academie=academie,
            departement=departement,
            establishment=values.get("establishment", "")[:200],
            mobile=mobile,
        ),
        [],
    )


def _upsert_sql() -> str:
    """INSERT … ON CONFLICT (election, numen) DO UPDATE: the same statement on SQLite
    (>= 3.24) and PostgreSQL. Built from model metadata only, never from input."""
    table = Voter._meta.db_table
    cols = ("election_id", *COLUMNS, "updated_at")
    updates = ", ".join(f"{c} = excluded.{c}" for c in (*COLUMNS[1:], "updated_at"))
    return (
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))}) "  # noqa: S608
        f"ON CONFLICT (election_id, numen) DO UPDATE SET {updates}"
    )


def _upsert(voters: list[VoterRow], election_id: int) -> int:
    """Insert or update by NUMEN; returns how many already existed."""
    numens = [v.numen for v in voters]
    existing = Voter.objects.filter(election_id=election_id, numen__in=numens).count()
    connection = connections[router.db_for_write(Voter)]
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    params = [
        (
            election_id,
            v.numen,
            v.civility,
            v.last_name,
            v.first_name,
            ops.adapt_datefield_value(v.birth_date),
            v.email,
            v.category_id,
            v.corps,
            v.grade,
            v.academie,
            v.departement,
            v.establishment,
            v.mobile,
            now,
        )
        for v in voters
    ]
    if connection.vendor == "postgresql":
        import psycopg

        # Django's cursors bind on the client; a server-binding cursor lets psycopg pipeline
        # executemany (one round trip for the batch), several times faster.
        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.executemany(_upsert_sql(), params)
    else:
        with connection.cursor() as cursor:
            cursor.executemany(_upsert_sql(), params)
    return existing


@dataclass
class ImportStats:
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: int = 0


def voters_import_file(
    *,
    election: Election,
    path: Path,
    job: ImportJob | None = None,
    progress: Callable[[ImportStats], None] | None = None,
) -> ImportStats:
    """Stream `path` into the voter store. Raises ImportFileError if the file is unreadable."""
    reader = rows_xlsx(path) if path.suffix.lower() == ".xlsx" else rows_csv(path)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError(_("Le fichier est vide.")) from None
    except (UnicodeDecodeError, csv.Error, OSError, ValueError, KeyError) as exc:
        raise ImportFileError(_("Fichier illisible : %(e)s") % {"e": exc}) from exc
    mapping = header_map(header)
    categories = {
        _key(n): pk
        for pk, n in VoterCategory.objects.filter(election=election).values_list("pk", "name")
    }
    stats = ImportStats()
    seen: set[str] = set()
    voters: list[VoterRow] = []
    errors: list[ImportRowError] = []

    def flush() -> None:
        with transaction.atomic():
            if voters:
                existing = _upsert(voters, election.pk)
                stats.updated += existing
                stats.created += len(voters) - existing
            if job is not None:
                ImportRowError.objects.bulk_create(errors, batch_size=1000)
                job.processed_rows, job.created_count = stats.rows, stats.created
                job.updated_count, job.error_count = stats.updated, stats.errors
                job.save(
                    update_fields=[
                        "processed_rows",
                        "created_count",
                        "updated_count",
                        "error_count",
                    ]
                )
        voters.clear()
        errors.clear()
        if progress is not None:
            progress(stats)

    line = 1
    try:
        for line, raw in enumerate(reader, start=2):
            if not any(raw):
                continue  # blank line
            stats.rows += 1
            values = {f: _cell(v) for f, v in zip(mapping, raw, strict=False) if f}
            result = row_parse(values, categories=categories)
            if result.voter is not None and result.voter.numen in seen:
                result = RowResult(
                    None, [_("NUMEN en double dans le fichier (déjà vu plus haut).")]
                )
            if result.voter is None:
                stats.errors += 1
                if job is not None:
                    errors.append(
                        ImportRowError(
                            job=job,
                            line=line,
                            numen=values.get("numen", "")[:40],
                            message=" ".join(result.errors),
                        )
                    )
            else:
                seen.add(result.voter.numen)
                voters.append(result.voter)
            if len(voters) + len(errors) >= BATCH_SIZE:
                flush()
    except (UnicodeDecodeError, csv.Error) as exc:
        flush()
        raise ImportFileError(
            _("Fichier illisible à la ligne %(n)d : %(e)s") % {"n": line + 1, "e": exc}
        ) from exc
    flush()
    return stats


def _store_upload(upload: Any) -> tuple[Path, str]:
    """Copy the upload, chunk by chunk, to var/media/imports; return (path, sha256)."""
    suffix = ".xlsx" if (upload.name or "").lower().endswith(".xlsx") else ".csv"
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{timezone.now():%Y%m%d-%H%M%S}-{get_random_string(8)}{suffix}"
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    return path, digest.hexdigest()


ALLOWED_SUFFIXES = (".csv", ".xlsx")


def voter_import_start(*, actor: Any, election: Election, upload: Any) -> ImportJob:
    """Keep the uploaded file, record the job, and queue the import once committed."""
    if not (upload.name or "").lower().endswith(ALLOWED_SUFFIXES):
        raise ValidationError(_("Format non pris en charge : déposez un fichier CSV ou XLSX."))
    path, digest = _store_upload(upload)
    with transaction.atomic():
        job = ImportJob.objects.create(
            election=election,
            filename=upload.name[:255],
            path=str(path),
            started_by=actor,
            total_rows=count_rows(path) if path.suffix == ".csv" else 0,
        )
        audit_append(
            actor=actor,
            action="voters.import_start",
            obj=job,
            data={"file": upload.name, "sha256": digest, "size": upload.size},
        )
        transaction.on_commit(lambda: voter_import_task.enqueue(job_id=job.pk))
    return job


def voter_import_file_start(*, actor: Any, election: Election, path: Path) -> ImportJob:
    """Record the import of a file already on this machine (``manage.py import_voters``), as
    :func:`voter_import_start` records an upload; the caller then runs it."""
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            digest.update(chunk)
    with transaction.atomic():
        job = ImportJob.objects.create(
            election=election,
            filename=path.name[:255],
            path=str(path.resolve()),
            total_rows=count_rows(path),
        )
        audit_append(
            actor=actor,
            action="voters.import_start",
            obj=job,
            data={"file": path.name, "sha256": digest.hexdigest(), "size": path.stat().st_size},
        )
    return job


def voter_import_run(
    *, job_id: int, actor: Any = None, progress: Callable[[ImportStats], None] | None = None
) -> ImportJob:
    """Run a recorded import (the worker's task, or the command with its progress bar; may run
    twice: a re-run re-imports). Success and failure are audited in the name of ``actor``, by
    default whoever started the job."""
    job = ImportJob.objects.select_related("election", "started_by").get(pk=job_id)
    actor = actor if actor is not None else job.started_by
    if job.status == ImportJob.Status.DONE:
        return job
    path = Path(job.path)
    job.status = ImportJob.Status.RUNNING
    ImportRowError.objects.filter(job=job).delete()
    try:
        if not job.total_rows:
            job.total_rows = count_rows(path)
        job.save(update_fields=["status", "total_rows"])
        stats = voters_import_file(election=job.election, path=path, job=job, progress=progress)
    except (ImportFileError, OSError) as exc:  # OSError: the stored file went missing
        job.status, job.message = ImportJob.Status.FAILED, str(exc)
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
        audit_append(
            actor=actor, action="voters.import_failed", obj=job, data={"reason": str(exc)}
        )
        return job
    with transaction.atomic():
        job.status, job.finished_at = ImportJob.Status.DONE, timezone.now()
        job.total_rows = stats.rows
        job.save(update_fields=["status", "finished_at", "total_rows"])
        audit_append(
            actor=actor,
            action="voters.import_done",
            obj=job,
            data={
                "rows": stats.rows,
                "created": stats.created,
                "updated": stats.updated,
                "errors": stats.errors,
            },
        )
    return job


@task()
def voter_import_task(*, job_id: int) -> None:
    voter_import_run(job_id=job_id)


def _spreadsheet_safe(text: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def import_errors_csv(job: ImportJob) -> Iterator[str]:
    """The error report as CSV lines (streamed to the manager's download)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";")
    writer.writerow([_("ligne"), "NUMEN", _("erreur")])
    yield "\ufeff" + buf.getvalue()
    for err in job.errors.order_by("line").iterator(chunk_size=2000):
        buf.seek(0)
        buf.truncate()
        writer.writerow([err.line, _spreadsheet_safe(err.numen), err.message])
        yield buf.getvalue()
