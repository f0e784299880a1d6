"""CSV exports never hand a spreadsheet a formula: every cell goes through cell_safe."""

import csv
import io

import pytest

from urne.site.spreadsheet import cell_safe, csv_lines


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+33 6 12", "'+33 6 12"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1+1", "'  =1+1"),  # LibreOffice trims the spaces, then runs it
        ("＝1+1", "'＝1+1"),  # full-width equals sign
        ("DUPONT", "DUPONT"),
        ("Jean-Paul", "Jean-Paul"),
        ("", ""),
        (None, ""),
        (-3, "-3"),  # a number stays a number
        (2.5, "2.5"),
    ],
)
def test_cell_safe(value, shown):
    assert cell_safe(value) == shown


def test_csv_lines_make_every_cell_safe_and_start_with_a_bom():
    text = "".join(csv_lines([("ligne", "nom"), (3, '=HYPERLINK("x")'), (4, "MARTIN")]))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows == [["ligne", "nom"], ["3", '\'=HYPERLINK("x")'], ["4", "MARTIN"]]
