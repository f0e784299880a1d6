"""The public results (ADR 0803): what a proclaimed scrutin shows, the totals per body and the
unions' national representativeness. Reads only: nothing here is visible before a scrutin is
proclaimed, and a scrutin that is not proclaimed adds nothing to a total (its participation
stays the bureau's, ADR 0531).

The figures are the ones the bureau proclaimed (``ScrutinCount.figures``, written by
``urne.counting``); totals are sums of those integers and shares are exact fractions rounded
for display by ``urne.counting.pv.percent``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from urne.counting.joint import organisation_votes, votes_split
from urne.counting.pv import percent
from urne.elections.models import Body, Election, Level, ListUnion, Scrutin

from .models import ScrutinCount

#: The bodies whose national scrutin measures the unions' representativeness: the ministry's
#: comité (comité technique ministériel in 2018, comité social d'administration ministériel
#: since 2022), the vote every agent casts (Code général de la fonction publique, L. 211-2).
REPRESENTATIVENESS_CODES = ("CTM", "CSA")


@dataclass(frozen=True)
class ListResult:
    name: str
    votes: int
    share_percent: str | None
    seats: int

    @property
    def share(self) -> Decimal | None:
        return share(self.share_percent)


@dataclass(frozen=True)
class ScrutinResult:
    scrutin: Scrutin
    count: ScrutinCount
    registered: int
    voters: int
    blank: int
    valid: int
    turnout_percent: str | None
    lists: list[ListResult]
    # the tie draws of the allocation, each with the bureau's seed (docs/counting.md)
    draws: list[dict[str, object]]

    @property
    def seats(self) -> int:
        return sum(lst.seats for lst in self.lists)

    @property
    def turnout(self) -> Decimal | None:
        return share(self.turnout_percent)


def share(text: str | None) -> Decimal | None:
    """A percentage's exact text as a Decimal, which templates localise (50,00 in French)."""
    return Decimal(text) if text is not None else None


def _percent(part: int | Fraction, whole: int | Fraction) -> str | None:
    return str(percent(Fraction(part) / Fraction(whole))) if whole else None


def _result(count: ScrutinCount) -> ScrutinResult:
    figures = count.figures or {}
    pv = figures.get("pv", {})
    return ScrutinResult(
        scrutin=count.scrutin,
        count=count,
        registered=int(pv.get("registered", 0)),
        voters=int(pv.get("voters", 0)),
        blank=int(pv.get("blank", 0)),
        valid=int(pv.get("valid", 0)),
        turnout_percent=pv.get("turnout_percent"),
        lists=[
            ListResult(
                name=lst["name"],
                votes=int(lst["votes"]),
                share_percent=lst.get("share_percent"),
                seats=int(lst["seats"]),
            )
            for lst in figures.get("lists", [])
        ],
        draws=list(figures.get("draws", [])),
    )


def proclaimed_counts(*, election: Election) -> list[ScrutinCount]:
    return list(
        ScrutinCount.objects.filter(scrutin__election=election, state=ScrutinCount.State.PROCLAIMED)
        .select_related("scrutin__body", "proclaimed_by")
        .order_by("scrutin__body_id", "scrutin__perimeter", "scrutin__pk")
    )


def scrutin_result(*, scrutin: Scrutin) -> ScrutinResult | None:
    """The scrutin's public result once proclaimed, else None (nothing shows before)."""
    count = (
        ScrutinCount.objects.filter(scrutin=scrutin, state=ScrutinCount.State.PROCLAIMED)
        .select_related("scrutin__body", "proclaimed_by")
        .first()
    )
    return _result(count) if count is not None else None


def scrutin_results(*, election: Election) -> list[ScrutinResult]:
    """Every proclaimed scrutin's result, body by body."""
    return [_result(c) for c in proclaimed_counts(election=election)]


@dataclass(frozen=True)
class OrganisationTotal:
    name: str
    votes: Fraction
    share_percent: str | None
    # seats of the lists it filed alone; those of the joint lists it is part of, apart
    seats: int
    joint_seats: int = 0

    @property
    def share(self) -> Decimal | None:
        return share(self.share_percent)

    @property
    def votes_shown(self) -> int | Decimal:
        """Whole votes as an integer; a joint list's split rounded to 2 places (templates
        localise the Decimal: 14,40 in French)."""
        if self.votes.denominator == 1:
            return self.votes.numerator
        exact = Decimal(self.votes.numerator) / Decimal(self.votes.denominator)
        return exact.quantize(Decimal("0.01"))


@dataclass
class BodyTotal:
    body: Body
    scrutins: int = 0
    scrutins_in_body: int = 0
    registered: int = 0
    voters: int = 0
    blank: int = 0
    valid: int = 0
    organisations: list[OrganisationTotal] = field(default_factory=list)

    @property
    def turnout_percent(self) -> str | None:
        return _percent(self.voters, self.registered)

    @property
    def turnout(self) -> Decimal | None:
        return share(self.turnout_percent)

    @property
    def complete(self) -> bool:
        return self.scrutins == self.scrutins_in_body


def _list_organisations(scrutins: Iterable[Scrutin]) -> dict[tuple[int, str], list[ListUnion]]:
    """(scrutin id, list label) → the list's unions with their declared shares."""
    out: dict[tuple[int, str], list[ListUnion]] = {}
    links = ListUnion.objects.filter(candidate_list__scrutin__in=list(scrutins)).select_related(
        "candidate_list", "union"
    )
    for link in links.order_by("candidate_list_id", "pk"):
        key = (link.candidate_list.scrutin_id, link.candidate_list.label)
        out.setdefault(key, []).append(link)
    return out


def _split(votes: int, label: str, links: list[ListUnion]) -> dict[str, Fraction]:
    """A list's votes per organisation: its unions (a joint list split on its declared basis,
    else equally: ``urne.counting.joint``); a list without a union counts under its label."""
    if not links:
        return {label: Fraction(votes)}
    names = [link.union.acronym for link in links]
    shares = [link.share for link in links if link.share is not None]
    basis = None
    if len(shares) == len(links) and sum(shares) == 100:
        basis = [Fraction(s) / 100 for s in shares]
    return votes_split(votes=votes, organisations=names, basis=basis)


def _organisations(results: list[ScrutinResult]) -> list[OrganisationTotal]:
    links = _list_organisations(r.scrutin for r in results)
    splits = []
    seats: dict[str, int] = {}
    joint: dict[str, int] = {}
    for r in results:
        for lst in r.lists:
            split = _split(lst.votes, lst.name, links.get((r.scrutin.pk, lst.name), []))
            splits.append(split)
            # A joint list's seats are the list's, not one organisation's: each of its
            # organisations shows them apart ("en liste commune"), never in its own seats.
            into = seats if len(split) == 1 else joint
            for name in split:
                into[name] = into.get(name, 0) + lst.seats
    votes = organisation_votes(splits=splits)
    total = sum(votes.values(), Fraction(0))
    return sorted(
        (
            OrganisationTotal(
                name=name,
                votes=v,
                share_percent=_percent(v, total),
                seats=seats.get(name, 0),
                joint_seats=joint.get(name, 0),
            )
            for name, v in votes.items()
        ),
        key=lambda o: (-o.votes, o.name),
    )


def body_totals(
    *, election: Election, results: list[ScrutinResult] | None = None
) -> list[BodyTotal]:
    """Per body with a proclaimed scrutin: the sums of its proclaimed scrutins (registered,
    voters, blank, valid) and each organisation's votes, share and seats across them."""
    results = scrutin_results(election=election) if results is None else results
    by_body: dict[int, list[ScrutinResult]] = {}
    for r in results:
        by_body.setdefault(r.scrutin.body_id, []).append(r)
    sizes = {b.pk: b.scrutins.count() for b in Body.objects.filter(pk__in=list(by_body))}
    totals = []
    for body in Body.objects.filter(pk__in=list(by_body)).order_by("pk"):
        rs = by_body[body.pk]
        totals.append(
            BodyTotal(
                body=body,
                scrutins=len(rs),
                scrutins_in_body=sizes[body.pk],
                registered=sum(r.registered for r in rs),
                voters=sum(r.voters for r in rs),
                blank=sum(r.blank for r in rs),
                valid=sum(r.valid for r in rs),
                organisations=_organisations(rs),
            )
        )
    return totals


def representativeness_body(totals: list[BodyTotal]) -> BodyTotal | None:
    """The national comité among the bodies (``REPRESENTATIVENESS_CODES``, national level):
    its organisations' shares are the unions' representativeness; None while not proclaimed."""
    for total in totals:
        body = total.body
        if body.level == Level.NATIONAL and body.code.upper().startswith(REPRESENTATIVENESS_CODES):
            return total
    return None
