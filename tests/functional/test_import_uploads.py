"""The voter file through the back office: an uploaded file is deleted once processed (its
job keeps the SHA-256 and the report), a hostile file is refused with a short message and
nothing stored, and the pages never echo a huge cell."""

import hashlib
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from factories.elections import staff_login, staff_make
from factories.spreadsheets import (
    HEADER,
    inline_row,
    numen_make,
    voter_row_make,
    voters_csv_make,
    xlsx_raw_make,
)
from factories.workflows import workflow_world_make
from urne.elections.models import ImportJob, ImportRowError, Voter

pytestmark = pytest.mark.django_db(databases=["default", "authority"])


@pytest.fixture
def manager_client(client):
    staff_login(client, staff_make("manager"))
    return client


def _upload(client, election, name, content, capture):
    with capture(execute=True):
        response = client.post(
            reverse("backoffice:import", args=[election.pk]),
            {"file": SimpleUploadedFile(name, content)},
        )
    assert response.status_code == 302
    return ImportJob.objects.latest("pk"), response["Location"]


@pytest.mark.parametrize("good", [True, False])
def test_an_uploaded_file_is_deleted_once_processed_and_its_hash_kept(
    manager_client, media_root, settings, tmp_path, django_capture_on_commit_callbacks, good
):
    w = workflow_world_make()
    before = Voter.objects.count()
    rows = [voter_row_make(NUMEN=numen_make(1), Catégorie="PES")]
    content = voters_csv_make(tmp_path / "v.csv", rows).read_bytes()
    if not good:
        content += b"\xff\n"
    job, page = _upload(
        manager_client, w.election, "v.csv", content, django_capture_on_commit_callbacks
    )
    job.refresh_from_db()
    assert job.status == ("done" if good else "failed")
    assert job.sha256 == hashlib.sha256(content).hexdigest() and job.path == ""
    assert list((settings.MEDIA_ROOT / "imports").iterdir()) == []
    assert Voter.objects.count() == before + (1 if good else 0)
    html = manager_client.get(page).content.decode()
    assert job.sha256 in html and "supprimé après traitement" in html
    # A re-run cannot import a file that is no longer kept; it says so.
    ImportJob.objects.filter(pk=job.pk).update(status="queued")
    from urne.elections.voter_import import voter_import_run

    assert "plus conservé" in voter_import_run(job_id=job.pk).message


def test_a_file_named_on_the_command_line_is_left_in_place(election, tmp_path):
    from django.core.management import call_command

    path = voters_csv_make(tmp_path / "v.csv", [voter_row_make()])
    call_command("import_voters", str(path), "--quiet")
    assert path.exists() and ImportJob.objects.get().path == str(path.resolve())


def test_a_huge_cell_is_refused_and_never_echoed(
    manager_client, media_root, tmp_path, django_capture_on_commit_callbacks
):
    w = workflow_world_make()
    before = Voter.objects.count()
    cell = [b"<si><t>", *itertools.repeat(b"=" * 1_000_000, 50), b"</t></si>"]
    sheet = [inline_row(1, HEADER), b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>']
    content = xlsx_raw_make(tmp_path / "v.xlsx", sheet, shared_strings=cell)
    job, page = _upload(
        manager_client,
        w.election,
        "v.xlsx",
        content.read_bytes(),
        django_capture_on_commit_callbacks,
    )
    response = manager_client.get(page)
    assert response.status_code == 200 and len(response.content) < 20_000
    job.refresh_from_db()
    assert job.status == "failed" and not ImportRowError.objects.filter(job=job).exists()
    assert Voter.objects.count() == before


def test_only_the_first_errors_are_kept_and_the_page_says_so(
    manager_client, media_root, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.URNE_IMPORT_ERRORS_KEPT = 3
    w = workflow_world_make()
    rows = [voter_row_make(NUMEN=f"x{i}") for i in range(10)]
    content = voters_csv_make(tmp_path / "v.csv", rows).read_bytes()
    job, page = _upload(
        manager_client, w.election, "v.csv", content, django_capture_on_commit_callbacks
    )
    html = manager_client.get(page).content.decode()
    assert "3 premières erreurs sur 10" in html
    assert ImportRowError.objects.filter(job=job).count() == 3
