"""Voter file import (CSV or XLSX), streaming, idempotent by NUMEN.

The file is read row by row (never whole in memory); valid rows are upserted in batches
(INSERT … ON CONFLICT (election, numen) DO UPDATE, on SQLite and PostgreSQL alike, ADR 0103)
inside ONE transaction: a file that cannot be read to its end (a bad byte, a broken archive,
too many rows) imports nothing and its refusal names the exact line (ADR 0540). Each invalid
row becomes a line of the error report the manager downloads (the first
``URNE_IMPORT_ERRORS_KEPT``, with the total count). What a hostile file can cost is bounded
before and while reading: rows (``URNE_IMPORT_MAX_ROWS``), bytes per CSV line, characters per
cell, and an XLSX archive's uncompressed sizes, checked before openpyxl opens it (ADR 0541).
Values are stored as typed or refused, never cut; an e-mail (the login) is one voter's
(ADR 0542). An uploaded file is deleted once processed; its job keeps the SHA-256 and the
report (ADR 0543).
"""

import csv
import hashlib
import itertools
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.tasks import task
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from urne.audit.services import audit_append
from urne.site.spreadsheet import csv_lines

from .geography import ACADEMIES
from .models import Civility, Election, ImportJob, ImportRowError, Voter, VoterCategory
from .nir import nir_digest, nir_first_ten, nir_key_ready

BATCH_SIZE = 2000
NUMEN_RE = re.compile(r"^[0-9]{2}[A-Z][0-9]{7}[A-Z]{3}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9]{9,15}$")
# Control characters (NUL included) and the bidirectional overrides that make a name display
# as something else: never part of a name, an e-mail or an establishment.
FORBIDDEN_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

# What one file may cost. A cell longer than any field is refused without being echoed; a CSV
# line longer than MAX_LINE_BYTES refuses the file (memory stays bounded by it).
MAX_CELL_CHARS = 1000
MAX_LINE_BYTES = 64 * 1024
SHOWN_CHARS = 60  # how much of a bad value an error message repeats
# XLSX is a ZIP archive: its members' uncompressed sizes are read from the archive's
# directory before openpyxl opens it (zipfile never inflates a member past its declared
# size). A spreadsheet's XML compresses 5 to 30 times; a ZIP bomb, thousands of times.
XLSX_MAX_RATIO = 100
XLSX_MAX_TOTAL_BYTES = 2 * 1024**3
XLSX_MAX_SHARED_STRINGS_BYTES = 256 * 1024**2  # openpyxl holds this member in memory

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
# Read only where the election enables it (ADR 0652), never required: the social security
# number, kept as a keyed hash.
NIR_FIELD = "nir"


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
    # The social security number (ADR 0652): read only where the election enables it, and
    # kept as a keyed hash only (elections.nir).
    "nir": "nir",
    "numerodesecuritesociale": "nir",
    "numerosecuritesociale": "nir",
    "securitesociale": "nir",
    "nss": "nir",
    "socialsecuritynumber": "nir",
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
    """The file as a whole cannot be read (format, headers, size); no row is imported."""


def _shown(value: str, limit: int = SHOWN_CHARS) -> str:
    """A bad value as an error message repeats it: cut, so a huge cell is never echoed, and
    its control characters replaced (PostgreSQL stores no NUL; a report should not hide
    anything in bytes the manager cannot see)."""
    value = FORBIDDEN_RE.sub("\ufffd", value[: limit + 1])
    return value if len(value) <= limit else value[:limit] + "…"


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


def _byte_lines(f: Any) -> Iterator[bytes]:
    """The file's lines with their ends (``\\n``, ``\\r\\n`` or a lone ``\\r``, as the csv
    module reads them), read by blocks: a line longer than MAX_LINE_BYTES comes out cut at
    that length plus one, never whole."""
    pending = b""
    while block := f.read(1 << 16):
        lines = (pending + block).splitlines(keepends=True)
        # The last piece may go on in the next block (a "\r" may be half of "\r\n").
        pending = lines.pop()
        if pending.endswith(b"\n"):
            lines.append(pending)
            pending = b""
        yield from lines
        if len(pending) > MAX_LINE_BYTES:
            yield pending[: MAX_LINE_BYTES + 1]
            return
    if pending:
        yield pending


def _csv_text_lines(f: Any, position: list[int]) -> Iterator[str]:
    """The file's physical lines, decoded one by one so that a bad byte is reported at its
    own line (a decoder reading ahead by blocks would blame a later one); ``position[0]`` is
    the number of the line last read."""
    for raw in _byte_lines(f):
        position[0] += 1
        if len(raw) > MAX_LINE_BYTES:
            raise ImportFileError(
                _("Ligne %(n)d trop longue (plus de %(max)d octets).")
                % {"n": position[0], "max": MAX_LINE_BYTES}
            )
        if position[0] == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                _(
                    "Ligne %(n)d : octet %(byte)s en position %(col)d, le fichier n'est pas "
                    "en UTF-8 (enregistrez-le en « CSV UTF-8 »)."
                )
                % {"n": position[0], "byte": f"0x{raw[exc.start]:02X}", "col": exc.start + 1}
            ) from None


def rows_csv(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of each record; the line is the record's first physical line."""
    position = [0]
    with path.open("rb") as f:
        first = next(_csv_text_lines(f, position), "")
        delimiter = max(";,\t", key=first.count)
        f.seek(0)
        position[0] = 0
        reader = csv.reader(_csv_text_lines(f, position), delimiter=delimiter)
        start = 1
        try:
            for cells in reader:
                yield start, cells
                start = position[0] + 1
        except csv.Error as exc:
            raise ImportFileError(
                _("Ligne %(n)d illisible : %(e)s") % {"n": position[0], "e": exc}
            ) from None


# What reading a damaged XLSX raises, in zipfile, zlib, the XML parser and openpyxl.
XLSX_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    ParseError,
    KeyError,
    IndexError,
    OSError,
    ValueError,
)


def _xlsx_unreadable(exc: Exception) -> ImportFileError:
    return ImportFileError(_("Fichier XLSX illisible : %(e)s") % {"e": _shown(str(exc))})


def xlsx_check(path: Path) -> None:
    """Refuse an archive whose inflated size would cost too much, from the sizes its ZIP
    directory declares, before any member is inflated."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _xlsx_unreadable(exc) from None
    total = 0
    for member in members:
        total += member.file_size
        bomb = member.file_size > (1 << 20) and (
            member.file_size > XLSX_MAX_RATIO * max(member.compress_size, 1)
        )
        shared = member.filename.lower().endswith("sharedstrings.xml")
        if bomb or (shared and member.file_size > XLSX_MAX_SHARED_STRINGS_BYTES):
            raise ImportFileError(
                _(
                    "Fichier XLSX refusé : son contenu « %(m)s » ferait %(mb)d Mo une fois "
                    "décompressé, bien plus que des données d'électeurs."
                )
                % {"m": _shown(member.filename), "mb": member.file_size // 10**6}
            )
    if total > XLSX_MAX_TOTAL_BYTES:
        raise ImportFileError(
            _("Fichier XLSX refusé : %(mb)d Mo une fois décompressé.") % {"mb": total // 10**6}
        )
    try:
        with zipfile.ZipFile(path) as archive:
            for member in members:
                if member.filename.lower().endswith(".xml"):
                    _xml_runs_check(archive, member)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise _xlsx_unreadable(exc) from None


def _xml_runs_check(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """Refuse a member holding more than MAX_LINE_BYTES between two tags (one cell's text,
    or one tag's attributes): openpyxl's parser would hold all of it in memory at once.
    Streamed, so this costs a pass of decompression and no memory."""
    tail = b""
    with archive.open(member) as f:
        while chunk := f.read(1 << 20):
            pieces = (tail + chunk).split(b"<")
            if max(map(len, pieces)) > MAX_LINE_BYTES:
                raise ImportFileError(
                    _(
                        "Fichier XLSX refusé : « %(m)s » contient une cellule de plus de "
                        "%(max)d octets."
                    )
                    % {"m": _shown(member.filename), "max": MAX_LINE_BYTES}
                )
            tail = pieces[-1]  # the run still open at the chunk's end


def _open_xlsx(path: Path, **kwargs: Any) -> Any:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    xlsx_check(path)
    try:
        return load_workbook(path, read_only=True, **kwargs)
    except (InvalidFileException, *XLSX_ERRORS) as exc:
        raise _xlsx_unreadable(exc) from None


def rows_xlsx(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of the first sheet, streamed."""
    wb = _open_xlsx(path, data_only=True)
    line = 0
    try:
        ws = wb.worksheets[0]
        if (ws.max_row or 0) > settings.URNE_IMPORT_MAX_ROWS + 1:
            raise ImportFileError(_too_many_rows())
        for line, row in enumerate(ws.iter_rows(values_only=True), start=1):
            yield line, [_cell(v) for v in row]
    except XLSX_ERRORS as exc:
        raise ImportFileError(
            _("Fichier XLSX illisible après la ligne %(n)d : %(e)s")
            % {"n": line, "e": _shown(str(exc))}
        ) from None
    finally:
        wb.close()


def _too_many_rows() -> str:
    return _("Le fichier dépasse %(max)d lignes : aucun électeur n'a été importé.") % {
        "max": settings.URNE_IMPORT_MAX_ROWS
    }


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
        except XLSX_ERRORS as exc:
            raise _xlsx_unreadable(exc) from None
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
    "nir_digest",
)


# The free-text columns' lengths in the voter store (Voter's max_length).
FIELD_LENGTHS = {
    "last_name": 100,
    "first_name": 100,
    "corps": 100,
    "grade": 100,
    "establishment": 200,
}


def _label(field: str) -> str:
    """A column as the manager knows it (the voter store's French field name)."""
    return str(getattr(Voter._meta.get_field(field), "verbose_name", field))


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
    nir_digest: str = ""


@dataclass
class RowResult:
    voter: VoterRow | None
    errors: list[str]


SHORTEST_LIMIT = min(FIELD_LENGTHS.values())


def _cells_check(values: dict[str, str]) -> tuple[list[str], bool]:
    """What is wrong with the row's cells as text (too long, a control character), and
    whether a cell is so long that the row must not be parsed further."""
    errors: list[str] = []
    for field, value in values.items():
        limit = FIELD_LENGTHS.get(field, MAX_CELL_CHARS)
        if len(value) > limit:
            errors.append(
                _("Colonne « %(f)s » : %(n)d caractères, %(max)d au plus.")
                % {"f": _label(field), "n": len(value), "max": limit}
            )
            if limit == MAX_CELL_CHARS:
                return errors, True  # such a cell is neither parsed further nor repeated
        if control := FORBIDDEN_RE.search(value):
            errors.append(
                _("Colonne « %(f)s » : caractère de contrôle interdit (U+%(c)04X).")
                % {"f": _label(field), "c": ord(control.group())}
            )
    return errors, False


def row_parse(
    values: dict[str, str], *, categories: dict[str, int], election_id: int = 0
) -> RowResult:
    """One row to a VoterRow, or the list of what is wrong with it (French). A value is
    stored as typed or refused, never cut or cleaned silently; the NIR, if the file has it,
    only as its keyed hash (never repeated in a message)."""
    errors: list[str] = []
    nir = values.get(NIR_FIELD, "")
    if NIR_FIELD in values:  # checked apart: its value is never repeated
        values = {field: value for field, value in values.items() if field != NIR_FIELD}
    # One search over the row first: the column-by-column loop runs only for a bad row.
    if max(map(len, values.values()), default=0) > SHORTEST_LIMIT or FORBIDDEN_RE.search(
        "".join(values.values())
    ):
        errors, stop = _cells_check(values)
        if stop:
            return RowResult(None, errors)

    numen = values.get("numen", "").upper()
    if not NUMEN_RE.match(numen):
        errors.append(
            _("NUMEN invalide « %(v)s » (attendu : 2 chiffres, 1 lettre, 7 chiffres, 3 lettres).")
            % {"v": _shown(values.get("numen", ""))}
        )
    civility = CIVILITIES.get(_key(values.get("civility", "")))
    if civility is None:
        errors.append(
            _("Civilité invalide « %(v)s » (M. ou Mme).")
            % {"v": _shown(values.get("civility", ""))}
        )
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
            % {"v": _shown(values.get("birth_date", ""))}
        )
    email = values.get("email", "").lower()
    if not EMAIL_RE.match(email) or len(email) > 254:
        errors.append(_("Courriel professionnel invalide « %(v)s ».") % {"v": _shown(email)})
    category_id = categories.get(_key(values.get("category", "")))
    if category_id is None:
        errors.append(
            _("Catégorie inconnue « %(v)s » : elle doit être une ligne des règles « qui vote où ».")
            % {"v": _shown(values.get("category", ""))}
        )
    academie = ACADEMIE_KEYS.get(_key(values.get("academie", "")))
    if academie is None:
        errors.append(_("Académie inconnue « %(v)s ».") % {"v": _shown(values.get("academie", ""))})
    departement = values.get("departement", "").upper()
    if departement.isdigit() and len(departement) == 1:
        departement = "0" + departement
    if departement not in DEPARTEMENTS:
        errors.append(
            _("Département inconnu « %(v)s ».") % {"v": _shown(values.get("departement", ""))}
        )
    elif academie is not None and DEPARTEMENTS[departement] != academie:
        errors.append(
            _("Le département %(d)s n'appartient pas à l'académie %(a)s.")
            % {"d": departement, "a": academie}
        )
    mobile = re.sub(r"[\s.\-]", "", values.get("mobile", ""))
    if mobile and not PHONE_RE.match(mobile):
        errors.append(
            _("Téléphone mobile invalide « %(v)s ».") % {"v": _shown(values.get("mobile", ""))}
        )
    digest = ""
    if nir:
        first_ten = nir_first_ten(nir)
        if first_ten is None:
            errors.append(
                _(
                    "Numéro de sécurité sociale invalide (attendu : 13 ou 15 chiffres, 2A ou 2B "
                    "pour la Corse ; la valeur n'est pas reprise ici)."
                )
            )
        else:
            digest = nir_digest(election_id=election_id, first_ten=first_ten)
    if errors or civility is None or category_id is None or academie is None:
        return RowResult(None, errors)  # each None above came with its error
    return RowResult(
        VoterRow(
            numen=numen,
            civility=civility,
            last_name=last_name,
            first_name=first_name,
            birth_date=birth_date,  # type: ignore[arg-type]
            email=email,
            category_id=category_id,
            corps=values.get("corps", ""),
            grade=values.get("grade", ""),
            academie=academie,
            departement=departement,
            establishment=values.get("establishment", ""),
            mobile=mobile,
            nir_digest=digest,
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


def _upsert(voters: list[VoterRow], election_id: int) -> None:
    """Insert or update by NUMEN."""
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
            v.nir_digest,
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


def _stored(
    voters: list[tuple[int, VoterRow]], election_id: int
) -> tuple[set[str], dict[str, set[str]], dict[str, set[str]]]:
    """What the store holds of the batch (the rows of this file written so far
    included: they are in the same transaction): the NUMENs already there, and who holds
    each e-mail (NUMENs by e-mail, e-mails by NUMEN)."""
    # Two queries, each on its own index: the e-mails' without the election, which SQLite
    # would otherwise walk voter by voter; raw SQL (from model metadata only), because
    # compiling two 2,000-value IN lists through the ORM costs more than running them.
    table = Voter._meta.db_table
    numens, emails = list({v.numen for _, v in voters}), list({v.email for _, v in voters})
    if not numens:
        return set(), {}, {}
    with connections[router.db_for_write(Voter)].cursor() as cursor:
        cursor.execute(
            f"SELECT email, numen FROM {table} WHERE election_id = %s "  # noqa: S608
            f"AND numen IN ({', '.join(['%s'] * len(numens))})",
            [election_id, *numens],
        )
        by_numen = cursor.fetchall()
        cursor.execute(
            f"SELECT email, numen, election_id FROM {table} "  # noqa: S608
            f"WHERE email IN ({', '.join(['%s'] * len(emails))})",
            emails,
        )
        by_email = cursor.fetchall()
    pairs = [*by_numen, *((e, n) for e, n, election in by_email if election == election_id)]
    owners: dict[str, set[str]] = {}
    held: dict[str, set[str]] = {}
    for email, numen in pairs:
        owners.setdefault(email, set()).add(numen)
        held.setdefault(numen, set()).add(email)
    existing = {numen for _, numen in by_numen}
    return existing, owners, held


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
    """Stream `path` into the voter store, all or nothing: raises ImportFileError, having
    written nothing, if the file is unreadable or too big anywhere (ADR 0540)."""
    with transaction.atomic(using=router.db_for_write(Voter)):
        return _import_rows(election=election, path=path, job=job, progress=progress)


def _import_rows(
    *,
    election: Election,
    path: Path,
    job: ImportJob | None,
    progress: Callable[[ImportStats], None] | None,
) -> ImportStats:
    reader = rows_xlsx(path) if path.suffix.lower() == ".xlsx" else rows_csv(path)
    try:
        _first, header = next(reader)
    except StopIteration:
        raise ImportFileError(_("Le fichier est vide.")) from None
    except OSError as exc:
        raise ImportFileError(_("Fichier illisible : %(e)s") % {"e": _shown(str(exc))}) from exc
    mapping = header_map(header)
    if NIR_FIELD in mapping:
        _nir_column_check(election)
    categories = {
        _key(n): pk
        for pk, n in VoterCategory.objects.filter(election=election).values_list("pk", "name")
    }
    max_line = settings.URNE_IMPORT_MAX_ROWS + 1
    kept = settings.URNE_IMPORT_ERRORS_KEPT
    stats = ImportStats()
    seen: set[str] = set()
    voters: list[tuple[int, VoterRow]] = []
    errors: list[ImportRowError] = []

    def reject(line: int, numen: str, messages: list[str]) -> None:
        stats.errors += 1
        if job is not None and stats.errors <= kept:
            errors.append(
                ImportRowError(
                    job=job, line=line, numen=_shown(numen, 39), message=" ".join(messages)
                )
            )

    def flush() -> None:
        # The e-mail is the voter's login in an election: a second NUMEN may not take it.
        existing, owners, held = _stored(voters, election.pk)
        accepted: list[VoterRow] = []
        for line, voter in voters:
            holders = owners.setdefault(voter.email, set())
            others = holders - {voter.numen}
            if others:
                reject(
                    line,
                    voter.numen,
                    [
                        _(
                            "Courriel professionnel « %(e)s » déjà celui du NUMEN %(n)s : "
                            "c'est l'identifiant de connexion, il doit être propre à chaque "
                            "électeur."
                        )
                        % {"e": voter.email, "n": min(others)}
                    ],
                )
                continue
            for email in held.get(voter.numen, set()) - {voter.email}:
                owners[email].discard(voter.numen)  # a re-import may move a voter's e-mail
            held[voter.numen] = {voter.email}
            holders.add(voter.numen)
            accepted.append(voter)
        if accepted:
            _upsert(accepted, election.pk)
            updated = sum(1 for v in accepted if v.numen in existing)
            stats.updated += updated
            stats.created += len(accepted) - updated
        if job is not None:
            ImportRowError.objects.bulk_create(errors, batch_size=1000)
            job.processed_rows, job.created_count = stats.rows, stats.created
            job.updated_count, job.error_count = stats.updated, stats.errors
            job.save(
                update_fields=["processed_rows", "created_count", "updated_count", "error_count"]
            )
        voters.clear()
        errors.clear()
        if progress is not None:
            progress(stats)

    for line, raw in reader:
        if line > max_line:
            raise ImportFileError(_too_many_rows())
        if not any(raw):
            continue  # blank line
        stats.rows += 1
        values = {f: _cell(v) for f, v in zip(mapping, raw, strict=False) if f}
        result = row_parse(values, categories=categories, election_id=election.pk)
        if result.voter is not None and result.voter.numen in seen:
            result = RowResult(None, [_("NUMEN en double dans le fichier (déjà vu plus haut).")])
        if result.voter is None:
            reject(line, values.get("numen", ""), result.errors)
        else:
            seen.add(result.voter.numen)
            voters.append((line, result.voter))
        if len(voters) + len(errors) >= BATCH_SIZE:
            flush()
    flush()
    return stats


def _nir_column_check(election: Election) -> None:
    """A social security number column is read only where the election enables the option
    and the key is set (ADR 0652); otherwise the file is refused whole, nothing read from it
    (the number is not collected where it is not used)."""
    if not election.reassort_nir:
        raise ImportFileError(
            _(
                "Le fichier a une colonne « numéro de sécurité sociale » alors que cette élection "
                "ne l'utilise pas pour le réassort : retirez cette colonne (aucun électeur "
                "importé)."
            )
        )
    if not nir_key_ready():
        raise ImportFileError(
            _(
                "La clé des numéros de sécurité sociale (URNE_NIR_KEY) n'est pas configurée : "
                "aucun électeur importé."
            )
        )


def _store_upload(upload: Any) -> tuple[Path, str]:
    """Copy the upload, chunk by chunk, to var/media/imports; return (path, sha256)."""
    suffix = ".xlsx" if (upload.name or "").lower().endswith(".xlsx") else ".csv"
    folder = _uploads_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{timezone.now():%Y%m%d-%H%M%S}-{get_random_string(8)}{suffix}"
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    return path, digest.hexdigest()


def _uploads_folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def upload_discard(job: ImportJob) -> None:
    """Delete an uploaded file once processed (it holds the personal data of a whole
    electorate); the job keeps its SHA-256 and its report. A file named on the command line
    belongs to the operator and stays."""
    path = Path(job.path)
    if job.path and path.resolve().parent == _uploads_folder().resolve():
        path.unlink(missing_ok=True)
        job.path = ""
        job.save(update_fields=["path"])


ALLOWED_SUFFIXES = (".csv", ".xlsx")


def voter_import_start(*, actor: Any, election: Election, upload: Any) -> ImportJob:
    """Keep the uploaded file until processed, record the job, and queue the import once
    committed."""
    if not (upload.name or "").lower().endswith(ALLOWED_SUFFIXES):
        raise ValidationError(_("Format non pris en charge : déposez un fichier CSV ou XLSX."))
    path, digest = _store_upload(upload)
    with transaction.atomic():
        job = ImportJob.objects.create(
            election=election,
            filename=upload.name[:255],
            path=str(path),
            sha256=digest,
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
    try:
        total = count_rows(path)
    except ImportFileError:
        total = 0  # the run records the refusal
    with transaction.atomic():
        job = ImportJob.objects.create(
            election=election,
            filename=path.name[:255],
            path=str(path.resolve()),
            sha256=digest.hexdigest(),
            total_rows=total,
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
    twice: a re-run re-imports while the file is kept). Success and failure are audited in
    the name of ``actor``, by default whoever started the job; an uploaded file is deleted
    after either."""
    job = ImportJob.objects.select_related("election", "started_by").get(pk=job_id)
    actor = actor if actor is not None else job.started_by
    if job.status == ImportJob.Status.DONE:
        return job
    path = Path(job.path)
    job.status = ImportJob.Status.RUNNING
    ImportRowError.objects.filter(job=job).delete()
    try:
        if not job.path:
            raise ImportFileError(_("Le fichier n'est plus conservé : déposez-le à nouveau."))
        if not job.total_rows:
            job.total_rows = count_rows(path)
        job.save(update_fields=["status", "total_rows"])
        stats = voters_import_file(election=job.election, path=path, job=job, progress=progress)
    except (ImportFileError, OSError) as exc:  # OSError: the stored file went missing
        reason = _shown(str(exc)) if isinstance(exc, OSError) else str(exc)
        job.status, job.finished_at = ImportJob.Status.FAILED, timezone.now()
        job.message = _("Fichier refusé, aucun électeur importé. %(reason)s") % {"reason": reason}
        # The rows counted before the refusal were rolled back with it.
        job.processed_rows = job.created_count = job.updated_count = job.error_count = 0
        job.save()
        audit_append(actor=actor, action="voters.import_failed", obj=job, data={"reason": reason})
        upload_discard(job)
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
    upload_discard(job)
    return job


@task()
def voter_import_task(*, job_id: int) -> None:
    voter_import_run(job_id=job_id)


def import_errors_csv(job: ImportJob) -> Iterator[str]:
    """The error report as CSV lines (streamed to the manager's download)."""
    rows = job.errors.order_by("line").values_list("line", "numen", "message")
    return csv_lines(itertools.chain([(_("ligne"), "NUMEN", _("erreur"))], rows.iterator(2000)))
