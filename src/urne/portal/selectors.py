"""Reads for the portal pages. Every read takes the logged-in voter and returns only what
belongs to them: their scrutins, the rolls of those scrutins, those scrutins' lists."""

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.functional import cached_property

from urne.elections.collation import french, full_name_starts_with
from urne.elections.eligibility import rolls_published, voter_scrutins
from urne.elections.models import (
    Candidate,
    CandidateList,
    Complaint,
    RollEntry,
    Scrutin,
    Voter,
)

ROLL_PAGE_SIZE = 50
SEARCH_MAX = 100


def portal_scrutins(*, voter: Voter) -> list[Scrutin]:
    """The voter's scrutins (`eligibility.voter_scrutins`: the published roll once there is
    one), body loaded."""
    return voter_scrutins(voter)


def portal_scrutin(*, voter: Voter, uuid: str) -> Scrutin:
    """One of the voter's scrutins by its uuid; 404 for any other (no hint it exists)."""
    for scrutin in portal_scrutins(voter=voter):
        if scrutin.uuid == uuid:
            return scrutin
    raise Http404


def portal_candidate_lists(*, scrutin: Scrutin) -> list[CandidateList]:
    return list(
        CandidateList.objects.filter(scrutin=scrutin)
        .prefetch_related(
            "unions", Prefetch("candidates", queryset=Candidate.objects.order_by("position"))
        )
        .order_by("id")
    )


def portal_candidate_list(*, voter: Voter, uuid: str, list_id: int) -> CandidateList:
    scrutin = portal_scrutin(voter=voter, uuid=uuid)
    found = CandidateList.objects.filter(scrutin=scrutin, pk=list_id).first()
    if found is None or not found.profession_de_foi:
        raise Http404
    return found


class _RollPaginator(Paginator):
    def __init__(self, object_list: QuerySet, per_page: int, *, total: int) -> None:
        super().__init__(object_list, per_page)
        self._total = total

    @cached_property
    def count(self) -> int:
        return self._total


def roll_page(*, scrutin: Scrutin, query: str = "", page: str | int = 1) -> Page:
    """A page of the scrutin's published roll in French order (BÉNARD before BRUNET),
    optionally filtered by the start of the full name in either order ("leroux amandine",
    "amandine", "ler"), blind to accents and case (`elections.collation`, ADR 0240). Shows
    names and assignment only: a roll is public to its electors, their NUMEN and e-mail are
    not."""
    entries = (
        # The election filter is redundant but lets PostgreSQL walk the voters' (election,
        # last_name, first_name) index in French order for a large roll instead of sorting
        # it (ADR 0225, ADR 0240).
        RollEntry.objects.filter(scrutin=scrutin, voter__election_id=scrutin.election_id)
        .select_related("voter")
        .only(
            "id",
            "voter__civility",
            "voter__last_name",
            "voter__first_name",
            "voter__academie",
            "voter__departement",
            "voter__establishment",
        )
        .order_by(french("voter__last_name"), french("voter__first_name"), "voter_id")
    )
    query = query.strip()[:SEARCH_MAX]
    if query:
        entries = entries.filter(
            full_name_starts_with("voter__last_name", "voter__first_name", query)
        )
        total = entries.count()
    else:
        # Without a search, count the roll's own rows: no join over the voters.
        total = RollEntry.objects.filter(scrutin=scrutin).count()
    return _RollPaginator(entries, ROLL_PAGE_SIZE, total=total).get_page(page)


def roll_published(*, scrutin: Scrutin) -> bool:
    return rolls_published(scrutin.election)


def portal_complaints(*, voter: Voter) -> list[Complaint]:
    """The voter's own complaints, newest first, with the manager's answer once decided."""
    return list(
        Complaint.objects.filter(voter=voter).select_related("scrutin__body").order_by("-id")
    )
