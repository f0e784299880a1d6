"""Fuzzing the voter import: whatever the file's bytes, the import either refuses the whole
file (nothing stored, no error row) or stores exactly the rows it accepts and reports the
others; no exception escapes the worker's run, and no page answers 500."""

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factories.spreadsheets import HEADER, numen_make, voter_row_make
from urne.elections.models import ImportJob, ImportRowError, Voter
from urne.elections.voter_import import (
    FORBIDDEN_RE,
    ImportFileError,
    voter_import_run,
    voters_import_file,
)

pytestmark = pytest.mark.django_db
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
HOSTILE_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["=1+1", "@SUM(A1)", "\x00", "\u202e", "A" * 150, "", " ", '"', ";"]),
)


@st.composite
def csv_lines(draw) -> bytes:
    """Lines: good rows, good rows with a column made hostile, or raw bytes."""
    lines = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["good", "mutated", "bytes"]))
        if kind == "bytes":
            lines.append(draw(st.binary(max_size=60)))
            continue
        cells = voter_row_make(NUMEN=numen_make(draw(st.integers(0, 8))))
        if kind == "mutated":
            cells[draw(st.integers(0, len(cells) - 1))] = draw(HOSTILE_TEXT)
        lines.append(";".join(cells).encode("utf-8", "surrogatepass"))
    return draw(st.sampled_from([b"\n", b"\r\n"])).join(lines)


def _csv_file(lines: bytes, padding: int) -> bytes:
    """The header, `padding` good rows (enough, at 400, that the drawn lines come after the
    first blocks a reader decodes or writes), then the drawn lines."""
    good = [";".join(voter_row_make(NUMEN=numen_make(100 + i))) for i in range(padding)]
    return "\n".join([";".join(HEADER), *good, ""]).encode() + lines


def _reset():
    Voter.objects.all().delete()
    ImportJob.objects.all().delete()


def _refused_or_exact(job: ImportJob, stats_rows: int | None = None) -> None:
    if job.status == ImportJob.Status.FAILED:
        assert not Voter.objects.exists() and not ImportRowError.objects.exists()
        assert (job.processed_rows, job.created_count, job.error_count) == (0, 0, 0)
        return
    assert job.status == ImportJob.Status.DONE
    assert job.created_count == Voter.objects.count()
    assert job.total_rows == job.created_count + job.error_count
    assert ImportRowError.objects.count() == job.error_count  # below the kept limit here
    for last, first, email in Voter.objects.values_list("last_name", "first_name", "email"):
        assert not FORBIDDEN_RE.search(last + first + email) and len(last) <= 100
    emails = list(Voter.objects.values_list("email", flat=True))
    assert len(emails) == len(set(emails))


@SETTINGS
@given(lines=csv_lines(), padding=st.sampled_from([0, 3, 400]))
def test_any_csv_is_refused_whole_or_imported_exactly(election, tmp_path, lines, padding):
    _reset()
    path = tmp_path / "v.csv"
    path.write_bytes(_csv_file(lines, padding))
    job = ImportJob.objects.create(election=election, filename="v.csv", path=str(path))
    try:
        voters_import_file(election=election, path=path, job=job)
    except ImportFileError:
        assert not Voter.objects.exists() and not ImportRowError.objects.exists()
    _reset()
    job = ImportJob.objects.create(election=election, filename="v.csv", path=str(path))
    _refused_or_exact(voter_import_run(job_id=job.pk))


def _xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    for r in [HEADER, *(voter_row_make(NUMEN=numen_make(i)) for i in range(3))]:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


XLSX = _xlsx_bytes()


@SETTINGS
@given(
    offset=st.integers(0, len(XLSX) - 1),
    patch=st.binary(min_size=1, max_size=16),
    cut=st.booleans(),
)
def test_any_damaged_xlsx_is_refused_whole_or_imported_exactly(
    election, tmp_path, offset, patch, cut
):
    _reset()
    content = XLSX[:offset] + (b"" if cut else patch + XLSX[offset + len(patch) :])
    path = tmp_path / "v.xlsx"
    path.write_bytes(content)
    job = ImportJob.objects.create(election=election, filename="v.xlsx", path=str(path))
    _refused_or_exact(voter_import_run(job_id=job.pk))


@SETTINGS
@given(
    content=st.one_of(csv_lines().map(lambda lines: _csv_file(lines, 2)), st.binary(max_size=300)),
    name=st.sampled_from(["v.csv", "v.xlsx", "v.CSV", "v.txt"]),
)
def test_no_upload_makes_a_page_answer_500(election, client, content, name):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from factories.elections import staff_login, staff_make

    _reset()
    staff_login(client, staff_make("manager"))
    response = client.post(
        reverse("backoffice:import", args=[election.pk]),
        {"file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code in (200, 302)
    for job in ImportJob.objects.all():
        _refused_or_exact(voter_import_run(job_id=job.pk))
        assert client.get(reverse("backoffice:import_progress", args=[job.pk])).status_code == 200
        errors = client.get(reverse("backoffice:import_errors", args=[job.pk]))
        assert errors.status_code == 200
        b"".join(errors.streaming_content)
