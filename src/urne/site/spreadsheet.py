"""Cells written into a file a spreadsheet will open (CSV exports): never a formula.

A value starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, or their
full-width forms, which some spreadsheets also read as formula signs) is run by Excel and
LibreOffice when the file is opened: a voter named ``=HYPERLINK(...)`` would become a link
in the manager's report (CSV injection). Values are stored as typed; every export passes each
cell through :func:`cell_safe`, which prefixes such a value with an apostrophe, the
spreadsheets' own "this is text" mark. Leading spaces do not protect a formula (LibreOffice
trims them), so they are looked through (ADR 0542).
"""

import csv
import io
from collections.abc import Iterable, Iterator

FORMULA_SIGNS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


def cell_safe(value: object) -> str:
    """The cell as text a spreadsheet shows and never evaluates."""
    text = "" if value is None else str(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return text  # a number is data, even a negative one
    stripped = text.lstrip(" ")
    return "'" + text if stripped[:1] in FORMULA_SIGNS else text


def csv_lines(rows: Iterable[Iterable[object]], *, delimiter: str = ";") -> Iterator[str]:
    """CSV lines (UTF-8 BOM first, so Excel reads the accents), every cell made safe; for
    streaming responses and files alike."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    first = True
    for row in rows:
        buf.seek(0)
        buf.truncate()
        writer.writerow([cell_safe(cell) for cell in row])
        yield ("\ufeff" if first else "") + buf.getvalue()
        first = False
