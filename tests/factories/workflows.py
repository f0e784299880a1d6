"""Data shared by the functional tests: one small election with one of everything."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from factories.elections import election_make, scrutin_make, voter_make
from urne.elections.candidate_lists import (
    CandidateInput,
    candidate_list_register,
    profession_de_foi_attach,
)
from urne.elections.models import (
    CandidateList,
    Complaint,
    Election,
    ImportJob,
    ImportRowError,
    Scrutin,
    Union,
    Voter,
)
from urne.elections.services import complaint_file

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    election: Election
    scrutin: Scrutin
    voter: Voter
    candidate_list: CandidateList
    complaint: Complaint
    job: ImportJob


def workflow_world_make() -> World:
    election = election_make()
    scrutin = scrutin_make(election, "CTA", "Lyon", titular_seats=2, substitute_seats=2)
    voter = voter_make(election, civility="F")
    voter_make(election, civility="M")
    union = Union.objects.create(election=election, name="Syndicat A", acronym="SA")
    other = Union.objects.create(election=election, name="Syndicat B", acronym="SB")
    lst = candidate_list_register(
        actor="t",
        scrutin=scrutin,
        label="SA – SB",
        unions=[(union, Decimal(60)), (other, Decimal(40))],
        candidates=[
            CandidateInput("A", "Anne", "F"),
            CandidateInput("B", "Bruno", "M"),
            CandidateInput("C", "Chloé", "F"),
            CandidateInput("D", "David", "M"),
        ],
    )
    profession_de_foi_attach(
        actor="t",
        candidate_list=lst,
        upload=SimpleUploadedFile("pf.pdf", PDF, content_type="application/pdf"),
    )
    complaint = complaint_file(
        election=election,
        voter=voter,
        scrutin=scrutin,
        subject="Mauvaise académie",
        text="Je suis à Grenoble.",
    )
    job = ImportJob.objects.create(
        election=election,
        filename="v.csv",
        path="/nonexistent",
        status=ImportJob.Status.DONE,
        error_count=1,
    )
    ImportRowError.objects.create(job=job, line=2, numen="=cmd", message="NUMEN invalide")
    return World(election, scrutin, voter, lst, complaint, job)
