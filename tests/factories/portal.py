"""Portal test data: an election at a given point of its calendar, a voter with scrutins,
published rolls, candidate lists with professions de foi (plain functions over the services)."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from factories.elections import election_make, scrutin_make, voter_make
from urne.elections.candidate_lists import (
    CandidateInput,
    candidate_list_register,
    profession_de_foi_attach,
)
from urne.elections.models import CandidateList, Election, Scrutin, Union, Voter
from urne.elections.services import rolls_publish

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DAY = timedelta(days=1)

# Calendar offsets (days from now) for each phase: A rolls, B lists, C complaints, D-E vote.
PHASES = {
    "setup": (2, 5, 8, 10, 17),
    "rolls": (-2, 3, 6, 10, 17),
    "lists": (-10, -2, 3, 10, 17),
    "after_complaints": (-10, -5, -1, 3, 10),
    "vote": (-20, -10, -5, -1, 6),
    "closed": (-30, -20, -15, -10, -3),
}


def calendar_at(phase: str) -> dict:
    now = timezone.now().replace(second=0, microsecond=0)
    a, b, c, d, e = (now + n * DAY for n in PHASES[phase])
    return {
        "rolls_from": a,
        "lists_from": b,
        "complaints_until": c,
        "vote_opens": d,
        "vote_closes": e,
    }


@dataclass
class PortalWorld:
    election: Election
    voter: Voter
    scrutins: list[Scrutin]
    other_scrutin: Scrutin  # a scrutin of the election the voter is not in
    lists: list[CandidateList]


def _list(scrutin: Scrutin, union: Union, label: str, n: int) -> CandidateList:
    genders = "FM" * n
    lst = candidate_list_register(
        actor="factory",
        scrutin=scrutin,
        label=label,
        unions=[(union, Decimal(100))],
        candidates=[CandidateInput(f"CAND{i}", f"Prénom{i}", genders[i]) for i in range(n)],
    )
    profession_de_foi_attach(
        actor="factory",
        candidate_list=lst,
        upload=SimpleUploadedFile("pf.pdf", PDF, content_type="application/pdf"),
    )
    return lst


def portal_world_make(
    *, style: str = "2022", phase: str = "lists", roll_size: int = 3, publish: bool = True
) -> PortalWorld:
    """A PE in Lyon (69) votes in CTA Lyon and CAPD 69; CTA Grenoble is someone else's."""
    election = election_make(name=f"Élections professionnelles {style}", style=style)
    cta = scrutin_make(election, "CTA", "Lyon", titular_seats=2, substitute_seats=2)
    capd = scrutin_make(election, "CAPD PE", "69", titular_seats=2, substitute_seats=2)
    other = scrutin_make(election, "CTA", "Grenoble", titular_seats=2, substitute_seats=2)
    voter = voter_make(election, last_name="MARTIN", first_name="Camille", civility="F")
    for i in range(roll_size - 1):
        voter_make(election, last_name=f"DURAND{i:03d}", first_name="Alex")
    voter_make(election, academie="Grenoble", departement="38", last_name="GRENOBLOIS")
    union = Union.objects.create(election=election, name="Syndicat Alpha", acronym="SA")
    lists = [_list(cta, union, "Liste Alpha CTA", 3), _list(capd, union, "Liste Alpha CAPD", 4)]
    _list(other, union, "Liste Alpha Grenoble", 3)
    # The calendar once the lists are filed (they are frozen from the vote's opening on).
    for field, value in calendar_at(phase).items():
        setattr(election, field, value)
    election.save()
    if publish:
        from factories.elections import staff_make

        rolls_publish(actor=staff_make("manager"), election=election)
    return PortalWorld(election, voter, [cta, capd], other, lists)
