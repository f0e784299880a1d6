"""``manage.py import_voters`` runs the back office's import services (one copy of the
import's rules): its start, its success and its failure are audited like an upload's."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from urne.audit.models import AuditEvent
from urne.elections.models import ImportJob, Voter

pytestmark = pytest.mark.django_db

HEADER = (
    "NUMEN;Civilité;Nom;Prénom;Date de naissance;Courriel professionnel;Catégorie;Corps;Grade;"
    "Académie;Département;Établissement;Téléphone mobile"
)
ROW = (
    "12A1234567ABC;Mme;DUPONT;Camille;03/02/1980;camille.dupont@ac-lyon.fr;PE et instituteur;"
    "Professeurs des écoles;Hors classe;Lyon;69;École Jean Jaurès;06 12 34 56 78"
)
BAD_ROW = ROW.replace("12A1234567ABC", "NOT-A-NUMEN").replace("camille", "other")


def actions(job: ImportJob) -> list[str]:
    events = AuditEvent.objects.filter(object_id=str(job.pk), action__startswith="voters.")
    return list(events.order_by("seq").values_list("action", flat=True))


def test_a_successful_import_is_audited_with_its_figures(election, tmp_path):
    path = tmp_path / "voters.csv"
    path.write_text(f"{HEADER}\n{ROW}\n{BAD_ROW}\n", encoding="utf-8")
    out, errors = StringIO(), tmp_path / "errors.csv"
    call_command("import_voters", str(path), "--quiet", "--errors", str(errors), stdout=out)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE
    assert actions(job) == ["voters.import_start", "voters.import_done"]
    done = AuditEvent.objects.get(action="voters.import_done")
    assert done.actor == "manage.py import_voters"
    assert (done.data["rows"], done.data["created"], done.data["errors"]) == (2, 1, 1)
    start = AuditEvent.objects.get(action="voters.import_start")
    assert len(start.data["sha256"]) == 64 and start.data["file"] == "voters.csv"
    assert Voter.objects.filter(numen="12A1234567ABC").exists()
    assert "2 rows: 1 created, 0 updated, 1 errors" in out.getvalue()
    assert "NUMEN invalide" in errors.read_text(encoding="utf-8")


def test_a_failed_import_is_audited_and_the_command_fails(election, tmp_path):
    path = tmp_path / "voters.csv"
    path.write_bytes(f"{HEADER}\n{ROW}\n".encode() + b"\xff\xfe\xfa;broken\n")
    with pytest.raises(CommandError, match="Ligne 3 : octet 0xFF"):
        call_command("import_voters", str(path), "--quiet", stdout=StringIO())
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert not Voter.objects.exists()  # the good row before the bad byte is not kept
    assert actions(job) == ["voters.import_start", "voters.import_failed"]
    failed = AuditEvent.objects.get(action="voters.import_failed")
    assert failed.actor == "manage.py import_voters"
    assert "pas en UTF-8" in failed.data["reason"]


def test_a_missing_file_is_refused_before_any_job(election, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_voters", str(tmp_path / "absent.csv"), stdout=StringIO())
    assert not ImportJob.objects.exists()
