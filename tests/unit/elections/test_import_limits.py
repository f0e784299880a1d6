"""What a hostile or broken voter file may cost and leave behind: a refused file imports
nothing and names its exact line; rows, line and cell sizes, the XLSX archive's inflated size
and the errors kept are bounded; the e-mail (the login) is one voter's; names are stored as
typed or refused, never cut."""

import itertools

import pytest

from factories.spreadsheets import (
    HEADER,
    inline_row,
    numen_make,
    voter_row_make,
    voters_csv_make,
    xlsx_raw_make,
)
from urne.elections.models import ImportJob, ImportRowError, Voter
from urne.elections.voter_import import (
    ImportFileError,
    import_errors_csv,
    voter_import_run,
    voters_import_file,
)

pytestmark = pytest.mark.django_db


def _good_rows(n: int, start: int = 0) -> list[list[str]]:
    return [voter_row_make(NUMEN=numen_make(i)) for i in range(start, start + n)]


def _job(election, path) -> ImportJob:
    return ImportJob.objects.create(election=election, filename=path.name, path=str(path))


def test_a_bad_byte_after_2500_rows_imports_nothing_and_names_its_line(election, tmp_path):
    path = voters_csv_make(tmp_path / "v.csv", _good_rows(2500))
    with path.open("ab") as f:  # line 2502 (the header is line 1)
        f.write(b"12A9999999ABC;Mme;DUPONT;Cam\xe9lia;03/02/1980;x@ac-lyon.fr;;;;Lyon;69;;\r\n")
    voters_csv_make(tmp_path / "tail.csv", _good_rows(100, start=5000))
    with path.open("ab") as f:
        f.write((tmp_path / "tail.csv").read_bytes().split(b"\n", 1)[1])
    with pytest.raises(ImportFileError, match=r"Ligne 2502 : octet 0xE9 en position 29"):
        voters_import_file(election=election, path=path)
    assert Voter.objects.count() == 0
    job = voter_import_run(job_id=_job(election, path).pk)
    assert job.status == ImportJob.Status.FAILED and "Ligne 2502" in job.message
    assert "aucun électeur importé" in job.message
    assert (job.processed_rows, job.created_count, job.error_count) == (0, 0, 0)
    assert Voter.objects.count() == 0 and not ImportRowError.objects.exists()


def test_a_runaway_quote_refuses_the_file_at_its_line(election, tmp_path):
    # An opening quote never closed would swallow the rest of the file into one cell.
    path = voters_csv_make(tmp_path / "v.csv", _good_rows(3))
    with path.open("ab") as f:
        f.write(b'12A9999999ABC;Mme;"DUPONT;Camille\r\n' + (b"x" * 1000 + b"\r\n") * 200)
    with pytest.raises(ImportFileError, match=r"Ligne \d+ illisible : field larger"):
        voters_import_file(election=election, path=path)
    assert Voter.objects.count() == 0


def test_a_csv_line_too_long_refuses_the_file_without_reading_it_whole(election, tmp_path):
    path = voters_csv_make(tmp_path / "v.csv", [*_good_rows(2), voter_row_make(Nom="A" * 70_000)])
    with pytest.raises(ImportFileError, match=r"Ligne 4 trop longue") as refused:
        voters_import_file(election=election, path=path)
    assert len(str(refused.value)) < 200 and Voter.objects.count() == 0


def test_rows_are_limited_csv(election, tmp_path, settings):
    settings.URNE_IMPORT_MAX_ROWS = 10
    path = voters_csv_make(tmp_path / "v.csv", _good_rows(10))
    assert voters_import_file(election=election, path=path).created == 10
    Voter.objects.all().delete()
    path = voters_csv_make(tmp_path / "v.csv", [*_good_rows(10), [], voter_row_make()])
    with pytest.raises(ImportFileError, match="dépasse 10 lignes"):
        voters_import_file(election=election, path=path)
    assert Voter.objects.count() == 0


def test_rows_are_limited_xlsx_with_or_without_its_dimension(election, tmp_path, settings):
    from openpyxl import Workbook

    settings.URNE_IMPORT_MAX_ROWS = 10
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    for r in [HEADER, *_good_rows(11)]:
        ws.append(r)
    wb.save(tmp_path / "dim.xlsx")
    # No <dimension>: the rows are counted as they are read.
    rows = (inline_row(i + 1, r) for i, r in enumerate([HEADER, *_good_rows(11)]))
    xlsx_raw_make(tmp_path / "nodim.xlsx", rows)
    for name in ("dim.xlsx", "nodim.xlsx"):
        with pytest.raises(ImportFileError, match="dépasse 10 lignes"):
            voters_import_file(election=election, path=tmp_path / name)
        assert Voter.objects.count() == 0


def test_a_million_empty_rows_in_a_small_xlsx_are_refused_before_reading(election, tmp_path):
    sheet = itertools.chain([inline_row(1, HEADER)], itertools.repeat(b"<row/>", 1_000_000))
    path = xlsx_raw_make(tmp_path / "v.xlsx", sheet)
    assert path.stat().st_size < 200_000
    job = voter_import_run(job_id=_job(election, path).pk)
    assert job.status == ImportJob.Status.FAILED and "décompressé" in job.message
    assert not ImportRowError.objects.exists()


def test_a_huge_shared_string_is_refused_before_it_is_inflated(election, tmp_path):
    # 200 MB in the shared strings (openpyxl would hold them all in memory), 200 KB on disk.
    cell = [b"<si><t>", *itertools.repeat(b"A" * 1_000_000, 200), b"</t></si>"]
    sheet = [inline_row(1, HEADER), b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>']
    path = xlsx_raw_make(tmp_path / "v.xlsx", sheet, shared_strings=cell)
    assert path.stat().st_size < 1_000_000
    job = voter_import_run(job_id=_job(election, path).pk)
    assert job.status == ImportJob.Status.FAILED and "sharedStrings.xml" in job.message
    assert len(job.message) < 300  # the cell is not echoed


def test_a_long_cell_is_a_row_error_that_does_not_echo_it(election, tmp_path):
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    for r in [HEADER, voter_row_make(NUMEN="1" * 5000), *_good_rows(1)]:
        ws.append(r)
    wb.save(tmp_path / "v.xlsx")
    job = _job(election, tmp_path / "v.xlsx")
    stats = voters_import_file(election=election, path=tmp_path / "v.xlsx", job=job)
    assert (stats.created, stats.errors) == (1, 1)
    error = job.errors.get()
    assert "5000 caractères, 1000 au plus" in error.message and len(error.message) < 200


def test_errors_kept_are_the_first_ones_and_all_are_counted(election, tmp_path, settings):
    settings.URNE_IMPORT_ERRORS_KEPT = 5
    rows = [voter_row_make(NUMEN=f"bad{i}") for i in range(30)] + _good_rows(2)
    path = voters_csv_make(tmp_path / "v.csv", rows)
    job = voter_import_run(job_id=_job(election, path).pk)
    assert (job.error_count, job.errors_kept, job.created_count) == (30, 5, 2)
    assert list(job.errors.values_list("line", flat=True)) == [2, 3, 4, 5, 6]
    assert len(list(import_errors_csv(job))) == 6


def test_a_second_numen_may_not_take_an_email(election, tmp_path):
    a, b, c = (voter_row_make(NUMEN=numen_make(i)) for i in range(3))
    b[5] = a[5]  # B claims A's e-mail in the same file
    job = _job(election, tmp_path / "v.csv")
    stats = voters_import_file(
        election=election, path=voters_csv_make(tmp_path / "v.csv", [a, b]), job=job
    )
    assert (stats.created, stats.errors) == (1, 1)
    assert "déjà celui du NUMEN 12A0000000ABC" in job.errors.get(line=3).message
    # Nor one already stored, from another file.
    c[5] = a[5].upper()  # e-mails are compared lowercased, as they are stored
    stats = voters_import_file(election=election, path=voters_csv_make(tmp_path / "w.csv", [c]))
    assert (stats.created, stats.errors) == (0, 1)
    assert list(Voter.objects.values_list("numen", "email")) == [(a[0], a[5])]


def test_a_reimport_may_move_an_email_to_another_voter(election, tmp_path):
    a, b = (voter_row_make(NUMEN=numen_make(i)) for i in range(2))
    voters_import_file(election=election, path=voters_csv_make(tmp_path / "v.csv", [a, b]))
    old = a[5]
    a[5], b[5] = "new@ac-lyon.fr", old  # A changes e-mail first, then B takes A's old one
    stats = voters_import_file(election=election, path=voters_csv_make(tmp_path / "w.csv", [a, b]))
    assert (stats.updated, stats.errors) == (2, 0)
    assert Voter.objects.get(numen=b[0]).email == old


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("Nom", "DUP\x00ONT", "caractère de contrôle interdit (U+0000)"),
        ("Prénom", "Cam\u202eille", "caractère de contrôle interdit (U+202E)"),
        ("Nom", "D" * 5000, "5000 caractères, 100 au plus"),
        ("Établissement", "É" * 201, "201 caractères, 200 au plus"),
    ],
)
def test_names_are_stored_as_typed_or_refused_never_cut(election, tmp_path, column, value, message):
    path = voters_csv_make(tmp_path / "v.csv", [voter_row_make(**{column: value})])
    job = _job(election, path)
    stats = voters_import_file(election=election, path=path, job=job)
    assert (stats.created, stats.errors) == (0, 1)
    assert message in job.errors.get().message
    assert not Voter.objects.exists()


def test_a_formula_like_name_is_stored_as_typed_and_never_exported_as_a_formula(election, tmp_path):
    name = '=HYPERLINK("http://evil.example","clic")'
    rows = [voter_row_make(Nom=name), voter_row_make(NUMEN="@SUM(A1)"), voter_row_make(NUMEN="＝1")]
    job = _job(election, tmp_path / "v.csv")
    voters_import_file(election=election, path=voters_csv_make(tmp_path / "v.csv", rows), job=job)
    assert Voter.objects.get().last_name == name
    report = "".join(import_errors_csv(job))
    assert "\n3;'@SUM(A1);" in report and "\n4;'＝1;" in report


def test_an_xlsx_cell_over_64_kib_is_refused_before_it_is_parsed(election, tmp_path):
    # Below the ratio check's threshold: the streamed scan of the members finds it.
    sheet = [inline_row(1, HEADER), inline_row(2, ["x" * 70_000])]
    path = xlsx_raw_make(tmp_path / "v.xlsx", sheet)
    with pytest.raises(ImportFileError, match=r"sheet1\.xml » contient une cellule de plus de"):
        voters_import_file(election=election, path=path)


def test_a_nul_in_a_bad_value_is_reported_not_stored(election, tmp_path):
    # PostgreSQL refuses NUL in text: the report shows a replacement character instead.
    path = voters_csv_make(tmp_path / "v.csv", [voter_row_make(NUMEN="12A\x00")])
    job = _job(election, path)
    voters_import_file(election=election, path=path, job=job)
    error = job.errors.get()
    assert error.numen == "12A\ufffd" and "« 12A\ufffd »" in error.message


@pytest.mark.parametrize("end", [b"\n", b"\r\n", b"\r"])
def test_every_line_end_is_read_and_lines_are_counted_by_it(election, tmp_path, end):
    lines = [";".join(HEADER), *(";".join(r) for r in _good_rows(3))]
    path = tmp_path / "v.csv"
    path.write_bytes(end.join(line.encode() for line in lines) + end)
    assert voters_import_file(election=election, path=path).created == 3
    Voter.objects.all().delete()
    path.write_bytes(end.join([*(line.encode() for line in lines), b"\xff"]))
    with pytest.raises(ImportFileError, match="Ligne 5 : octet 0xFF"):
        voters_import_file(election=election, path=path)
