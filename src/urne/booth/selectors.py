"""Reads for the booth page: the voter's scrutins as the page's script needs them, each with
its ballot as the paper one reads (every list's full name, its unions, its candidates in
order, its profession de foi), the voter's state in each, and the urn's election."""

from typing import Any

from django.db.models import Prefetch
from django.urls import reverse

from urne.elections.eligibility import voter_scrutins
from urne.elections.models import Candidate, CandidateList, Gender, Voter
from urne.urn.selectors import urn_election

from .models import Emargement

#: What the booth page calls each state of the voter's émargement in a scrutin.
_STATE_NAMES: dict[str, str] = {
    Emargement.State.VOTED: "voted",
    Emargement.State.PENDING: "pending",
}
_CIVILITY: dict[str, str] = {Gender.WOMAN: "Mme", Gender.MAN: "M."}


def _ballot_list(scrutin_uuid: str, cl: CandidateList) -> dict[str, Any]:
    return {
        "label": cl.label,
        "unions": [{"name": u.name, "acronym": u.acronym} for u in cl.unions.all()],
        "candidates": [
            f"{_CIVILITY.get(c.gender, '')} {c.first_name} {c.last_name.upper()}".strip()
            for c in cl.candidates.all()
        ],
        "pdf": reverse("portal:profession_de_foi", args=[scrutin_uuid, cl.pk])
        if cl.profession_de_foi
        else "",
    }


def booth_scrutins(voter: Voter) -> list[dict[str, Any]]:
    """The voter's scrutins for the booth. The lists come in id order, the order of the
    answers in the urn's question (the blank vote is the first answer, shown last)."""
    scrutins = voter_scrutins(voter)
    voted = dict(
        Emargement.objects.filter(voter=voter, scrutin__in=scrutins).values_list(
            "scrutin_id", "state"
        )
    )
    lists: dict[int, list[CandidateList]] = {}
    for cl in (
        CandidateList.objects.filter(scrutin__in=scrutins)
        .prefetch_related(
            "unions", Prefetch("candidates", queryset=Candidate.objects.order_by("position"))
        )
        .order_by("pk")
    ):
        lists.setdefault(cl.scrutin_id, []).append(cl)
    out = []
    for s in scrutins:
        election = urn_election(scrutin_uuid=s.uuid)
        out.append(
            {
                "uuid": s.uuid,
                "label": f"{s.body.name} {s.perimeter}".strip(),
                "code": s.body.code,
                "state": _STATE_NAMES.get(voted.get(s.pk) or "", "todo"),
                "lists": [_ballot_list(s.uuid, cl) for cl in lists.get(s.pk, [])],
                "election": election.raw if election is not None else None,
                "board": reverse("urn:board", args=[s.uuid]),
            }
        )
    return out
