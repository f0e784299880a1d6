"""Voter file import: row checks, CSV and XLSX, re-import by NUMEN, the error report."""

import csv
from pathlib import Path

import pytest

from factories.elections import staff_make
from factories.spreadsheets import GOOD, HEADER, voter_row_make
from urne.audit.models import AuditEvent
from urne.elections.models import ImportJob, Voter
from urne.elections.voter_import import (
    ImportFileError,
    count_rows,
    import_errors_csv,
    row_parse,
    voter_import_run,
    voters_import_file,
)

pytestmark = pytest.mark.django_db


def write_csv(path: Path, rows, delimiter=";", header=HEADER) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    return path


row = voter_row_make


def _categories(election):
    from urne.elections.voter_import import _key

    return {_key(c.name): c.pk for c in election.categories.all()}


def _parse(election, **changes):
    from urne.elections.voter_import import FIELDS

    values = dict(zip(FIELDS, row(**changes), strict=True))
    return row_parse(values, categories=_categories(election))


def test_good_row(election):
    result = _parse(election)
    assert result.errors == []
    v = result.voter
    assert (v.numen, v.civility, v.academie, v.departement, v.mobile) == (
        "12A1234567ABC",
        "F",
        "Lyon",
        "69",
        "0612345678",
    )
    assert v.birth_date.isoformat() == "1980-02-03"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("NUMEN", "12A123456ABC", "NUMEN invalide"),
        ("NUMEN", "1AA1234567ABC", "NUMEN invalide"),
        ("NUMEN", "12A1234567AB1", "NUMEN invalide"),
        ("Civilité", "Dr", "Civilité invalide"),
        ("Nom", "", "obligatoires"),
        ("Date de naissance", "31/02/1980", "Date de naissance invalide"),
        ("Date de naissance", "hier", "Date de naissance invalide"),
        ("Courriel professionnel", "camille.dupont", "Courriel professionnel invalide"),
        ("Catégorie", "Astronaute", "Catégorie inconnue"),
        ("Académie", "Atlantide", "Académie inconnue"),
        ("Département", "99", "Département inconnu"),
        ("Département", "75", "n'appartient pas à l'académie Lyon"),
        ("Téléphone mobile", "abc", "Téléphone mobile invalide"),
    ],
)
def test_bad_rows_say_why_in_french(election, field, value, message):
    result = _parse(election, **{field: value})
    assert result.voter is None
    assert any(message in e for e in result.errors), result.errors


def test_tolerant_forms(election):
    result = _parse(
        election,
        **{
            "Académie": "clermont ferrand",
            "Département": "3",
            "Catégorie": "pe ET instituteur",
            "Civilité": "M.",
            "Date de naissance": "1980-02-03",
            "Téléphone mobile": "",
        },
    )
    assert result.errors == []
    v = result.voter
    assert (v.academie, v.departement, v.civility, v.mobile) == ("Clermont-Ferrand", "03", "M", "")


def test_import_then_reimport_updates_by_numen(election, tmp_path):
    rows = [row(NUMEN=f"12A{i:07d}ABC") for i in range(5)]
    path = write_csv(tmp_path / "v.csv", rows)
    stats = voters_import_file(election=election, path=path)
    assert (stats.rows, stats.created, stats.updated, stats.errors) == (5, 5, 0, 0)
    rows[0] = row(NUMEN="12A0000000ABC", Nom="MARTIN")
    stats = voters_import_file(election=election, path=write_csv(tmp_path / "v2.csv", rows))
    assert (stats.created, stats.updated) == (0, 5)
    assert Voter.objects.count() == 5
    assert Voter.objects.get(numen="12A0000000ABC").last_name == "MARTIN"


def test_errors_and_duplicates_are_reported_by_line(election, tmp_path):
    rows = [row(), row(NUMEN="bad"), row(), [], row(NUMEN="12A7654321XYZ", Catégorie="?")]
    path = write_csv(tmp_path / "v.csv", rows, delimiter=",")
    job = ImportJob.objects.create(election=election, filename="v.csv", path=str(path))
    stats = voters_import_file(election=election, path=path, job=job)
    assert (stats.rows, stats.created, stats.errors) == (4, 1, 3)
    assert list(job.errors.values_list("line", flat=True)) == [3, 4, 6]
    assert "double" in job.errors.get(line=4).message
    report = "".join(import_errors_csv(job))
    assert report.startswith("\ufeffligne;NUMEN;erreur")
    assert "3;bad;NUMEN invalide" in report


def test_missing_columns_refuse_the_file(election, tmp_path):
    path = write_csv(tmp_path / "v.csv", [GOOD[:3]], header=HEADER[:3])
    with pytest.raises(ImportFileError, match="Colonnes manquantes"):
        voters_import_file(election=election, path=path)


def test_not_a_csv(election, tmp_path):
    path = tmp_path / "v.csv"
    path.write_bytes(b"\xff\xfe\x00garbage\x00\xff" * 50)
    with pytest.raises(ImportFileError):
        voters_import_file(election=election, path=path)


def test_xlsx(election, tmp_path):
    from datetime import datetime

    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(HEADER)
    r = row(NUMEN="34B7654321XYZ", **{"Département": 69})
    r[4] = datetime(1975, 5, 17)  # noqa: DTZ001 - a real date cell, as spreadsheets store them
    ws.append(r)
    ws.append(row(NUMEN="nope"))
    path = tmp_path / "v.xlsx"
    wb.save(path)
    stats = voters_import_file(election=election, path=path)
    assert (stats.created, stats.errors) == (1, 1)
    v = Voter.objects.get()
    assert (v.numen, v.departement, v.birth_date.isoformat()) == (
        "34B7654321XYZ",
        "69",
        "1975-05-17",
    )
    assert count_rows(path) == 2


def test_count_rows(tmp_path):
    path = write_csv(tmp_path / "v.csv", [GOOD] * 7)
    assert count_rows(path) == 7
    path.write_bytes(path.read_bytes().rstrip(b"\r\n"))
    assert count_rows(path) == 7


def test_job_run_records_counts_and_audits(election, tmp_path):
    manager = staff_make("manager")
    path = write_csv(tmp_path / "v.csv", [row(), row(NUMEN="x")])
    job = ImportJob.objects.create(
        election=election, filename="v.csv", path=str(path), started_by=manager
    )
    job = voter_import_run(job_id=job.pk)
    assert (job.status, job.total_rows, job.created_count, job.error_count, job.percent) == (
        "done",
        2,
        1,
        1,
        100,
    )
    event = AuditEvent.objects.get(action="voters.import_done")
    assert event.actor == manager.username and event.data["created"] == 1


def test_command_with_progress_and_error_report(election, tmp_path, capsys):
    from django.core.management import call_command

    path = write_csv(tmp_path / "v.csv", [row(), row(NUMEN="x")])
    report = tmp_path / "errors.csv"
    call_command(
        "import_voters", str(path), "--election", str(election.pk), "--errors", str(report)
    )
    out = capsys.readouterr()
    assert "2 rows: 1 created, 0 updated, 1 errors" in out.out
    assert "2/2" in out.err  # the progress bar
    assert "NUMEN invalide" in report.read_text(encoding="utf-8")
