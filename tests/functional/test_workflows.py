"""Manager workflows through the HTTP stack: import, rules, rolls, lists, complaints, audit."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from factories.elections import body, staff_login, staff_make
from factories.workflows import PDF, workflow_world_make
from urne.audit.models import AuditEvent
from urne.audit.services import audit_chain_check
from urne.elections.models import Complaint, ImportJob, RollAdjustment, RollEntry, Voter

pytestmark = pytest.mark.django_db(databases=["default", "authority"])

HEADER = (
    "NUMEN;Civilité;Nom;Prénom;Date de naissance;Courriel professionnel;Catégorie;Corps;"
    "Grade;Académie;Département;Établissement;Téléphone mobile"
)


def _csv(*lines: str) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


GOOD = "12A1234567ABC;Mme;DUPONT;Camille;03/02/1980;c.dupont@ac-lyon.fr;PES;;;Lyon;69;;"
BAD = "12A12;M.;DURAND;Paul;01/01/1970;p.durand@ac-lyon.fr;PES;;;Lyon;69;;"


@pytest.fixture
def manager_client(client):
    user = staff_make("manager")
    staff_login(client, user)
    client.user = user
    return client


def test_import_upload_progress_and_error_report(
    manager_client, django_capture_on_commit_callbacks
):
    w = workflow_world_make()
    url = reverse("backoffice:import", args=[w.election.pk])
    upload = SimpleUploadedFile("electeurs.csv", _csv(GOOD, BAD), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url, {"file": upload})
    job = ImportJob.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:import_progress", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.created_count, job.error_count) == ("done", 1, 1)
    page = manager_client.get(response["Location"]).content.decode()
    assert "NUMEN invalide" in page and 'value="100"' in page
    report = b"".join(
        manager_client.get(reverse("backoffice:import_errors", args=[job.pk])).streaming_content
    ).decode()
    assert list(csv.reader(io.StringIO(report.lstrip("\ufeff")), delimiter=";"))[1][:2] == [
        "3",
        "12A12",
    ]
    # Re-import of a corrected file updates by NUMEN.
    fixed = GOOD.replace("DUPONT", "DUPONT-MARTIN")
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(url, {"file": SimpleUploadedFile("v2.csv", _csv(fixed))})
    assert Voter.objects.get(numen="12A1234567ABC").last_name == "DUPONT-MARTIN"
    assert ImportJob.objects.latest("pk").updated_count == 1
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count("voters.import_start") == 2 and actions.count("voters.import_done") == 2


def test_import_refuses_other_formats_and_unreadable_files(
    manager_client, django_capture_on_commit_callbacks
):
    w = workflow_world_make()
    url = reverse("backoffice:import", args=[w.election.pk])
    response = manager_client.post(url, {"file": SimpleUploadedFile("v.pdf", PDF)})
    assert response.status_code == 200
    assert "déposez un fichier CSV ou XLSX" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url, {"file": SimpleUploadedFile("v.csv", b"a;b\n1;2\n")})
    job = ImportJob.objects.latest("pk")
    assert job.status == "failed" and "Colonnes manquantes" in job.message
    assert "Colonnes manquantes" in manager_client.get(response["Location"]).content.decode()
    # A broken XLSX is reported, not a 500.
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url, {"file": SimpleUploadedFile("v.xlsx", b"nope")})
    assert ImportJob.objects.latest("pk").status == "failed"
    assert manager_client.get(response["Location"]).status_code == 200


def test_rules_preview_then_save(manager_client):
    w = workflow_world_make()
    url = reverse("backoffice:rules", args=[w.election.pk])
    cats = {c.name: c for c in w.election.categories.all()}
    pe = cats["PE et instituteur"]
    # Proposed: PE vote only in the CTM (so the CTA Lyon gets nobody).
    data = {"rule": [f"{pe.pk}:{body(w.election, 'CTM').pk}"], "action": "preview"}
    page = manager_client.post(url, data).content.decode()
    assert "Prévisualisation" in page
    assert set(pe.bodies.values_list("code", flat=True)) == {"CTM", "CTA", "CAPN PE", "CAPD PE"}
    response = manager_client.post(url, {**data, "action": "save"})
    assert response.status_code == 302
    assert list(pe.bodies.values_list("code", flat=True)) == ["CTM"]
    assert AuditEvent.objects.filter(action="rules.set", actor=manager_client.user.username)
    assert "CTA Lyon" in manager_client.get(url).content.decode()


def test_roll_adjustment_and_publication(manager_client):
    w = workflow_world_make()
    roll_url = reverse("backoffice:roll", args=[w.scrutin.pk])
    page = manager_client.post(roll_url, {"numen": "00X0000000AAA", "kind": "add", "reason": "x"})
    assert page.status_code == 200 and "Aucun électeur avec ce NUMEN" in page.content.decode()
    page = manager_client.post(roll_url, {"numen": w.voter.numen, "kind": "add", "reason": "x"})
    assert "déjà inscrit" in page.content.decode()
    response = manager_client.post(
        roll_url,
        {"numen": w.voter.numen.lower(), "kind": "remove", "reason": "Mutation au 1er septembre"},
    )
    assert response.status_code == 302
    assert RollAdjustment.objects.get().reason == "Mutation au 1er septembre"
    response = manager_client.post(reverse("backoffice:rolls", args=[w.election.pk]))
    assert response.status_code == 302
    assert RollEntry.objects.filter(scrutin=w.scrutin).count() == 1
    assert w.voter.pk not in RollEntry.objects.values_list("voter", flat=True)


def test_list_checks_and_profession_de_foi_upload(manager_client):
    w = workflow_world_make()
    page = manager_client.get(reverse("backoffice:list_checks", args=[w.election.pk]))
    assert "conforme" in page.content.decode()
    url = reverse("backoffice:candidate_list", args=[w.candidate_list.pk])
    page = manager_client.post(
        url, {"file": SimpleUploadedFile("pf.pdf", b"<html>", "application/pdf")}
    )
    assert page.status_code == 200 and "pas un PDF valide" in page.content.decode()
    response = manager_client.post(
        url, {"file": SimpleUploadedFile("pf2.pdf", PDF, "application/pdf")}
    )
    assert response.status_code == 302
    assert "SA : 60" in manager_client.get(url).content.decode()


def test_complaint_decision(manager_client):
    w = workflow_world_make()
    url = reverse("backoffice:complaint", args=[w.complaint.pk])
    page = manager_client.post(url, {"status": "accepted", "response": ""})
    assert page.status_code == 400  # a reasoned answer is required
    response = manager_client.post(url, {"status": "accepted", "response": "Corrigé."})
    assert response.status_code == 302
    w.complaint.refresh_from_db()
    assert (w.complaint.status, w.complaint.decided_by) == (
        Complaint.Status.ACCEPTED,
        manager_client.user,
    )


def test_admin_writes_are_audited_and_the_chain_holds(manager_client):
    w = workflow_world_make()
    administrator = Client()
    user = staff_make("administrator")
    staff_login(administrator, user)
    url = reverse("admin:elections_union_add")
    response = administrator.post(
        url, {"election": w.election.pk, "name": "Syndicat C", "acronym": "SC"}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin.add")
    assert event.actor == user.username and event.data["repr"] == "SC"
    page = manager_client.get(reverse("backoffice:audit") + "?check=1").content.decode()
    assert "Chaîne intacte" in page
    assert audit_chain_check().ok


def test_bad_ids_are_404_not_500(manager_client):
    assert manager_client.get("/backoffice/elections/999999/").status_code == 404
    assert manager_client.get("/backoffice/imports/999999/errors.csv").status_code == 404


def test_helpdesk_finds_a_voter_by_numen_email_or_name(client):
    w = workflow_world_make()
    staff_login(client, staff_make("helpdesk"))
    url = reverse("backoffice:voter_find", args=[w.election.pk])
    for q in (w.voter.numen.lower(), w.voter.email.upper(), w.voter.last_name[:4].lower()):
        page = client.get(url, {"q": q}).content.decode()
        assert reverse("backoffice:voter", args=[w.voter.pk]) in page, q
    assert "Aucun électeur trouvé" in client.get(url, {"q": "zzz"}).content.decode()
