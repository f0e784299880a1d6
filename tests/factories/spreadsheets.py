"""Voter files for the import's tests: good rows, CSV, and XLSX archives written member by
member (a hostile spreadsheet is small on disk: its content is what it inflates to)."""

import csv
import zipfile
from collections.abc import Iterable
from pathlib import Path

from urne.elections.demo import HEADER  # the columns the demo's files have

GOOD = [
    "12A1234567ABC",
    "Mme",
    "DUPONT",
    "Camille",
    "03/02/1980",
    "camille.dupont@ac-lyon.fr",
    "PE et instituteur",
    "Professeurs des écoles",
    "Hors classe",
    "Lyon",
    "69",
    "École Jean Jaurès",
    "06 12 34 56 78",
]


def voter_row_make(**changes: str) -> list[str]:
    """GOOD with `changes` (by header); another NUMEN gets its own e-mail (the e-mail is the
    login, one per voter)."""
    values = dict(zip(HEADER, GOOD, strict=True))
    if "NUMEN" in changes:
        values["Courriel professionnel"] = f"{changes['NUMEN'].lower()}@ac-lyon.fr"
    values.update(changes)
    return [values[h] for h in HEADER]


def numen_make(i: int) -> str:
    return f"12A{i:07d}ABC"


def voters_csv_make(path: Path, rows: Iterable[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(header)
        w.writerows(rows)
    return path


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType='
    '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
SHEET_START = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.'
    b'org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_END = b"</sheetData></worksheet>"


def inline_row(number: int, cells: list[str]) -> bytes:
    """One sheet row of inline strings (columns A, B, ...)."""
    return (
        f'<row r="{number}">'
        + "".join(
            f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
            for i, v in enumerate(cells)
        )
        + "</row>"
    ).encode()


def xlsx_raw_make(
    path: Path,
    sheet: Iterable[bytes],
    shared_strings: Iterable[bytes] = (b"<si><t></t></si>",),
) -> Path:
    """An XLSX whose sheet and shared strings are the given XML pieces, streamed into the
    archive (a piece may be repeated a million times without being held in memory)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w") as f:
            f.write(SHEET_START)
            for piece in sheet:
                f.write(piece)
            f.write(SHEET_END)
        with archive.open("xl/sharedStrings.xml", "w") as f:
            f.write(
                b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.'
                b'openxmlformats.org/spreadsheetml/2006/main">'
            )
            for piece in shared_strings:
                f.write(piece)
            f.write(b"</sst>")
    return path
