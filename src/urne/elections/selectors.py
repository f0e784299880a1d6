"""Reads: rolls, a voter's scrutins, the rules preview."""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from .models import (
    Body,
    Complaint,
    Election,
    Level,
    RollAdjustment,
    RollEntry,
    Scrutin,
    Voter,
    VoterCategory,
)


def _perimeter_q(scrutin: Scrutin) -> Q:
    if scrutin.level == Level.ACADEMIE:
        return Q(academie=scrutin.perimeter)
    if scrutin.level == Level.DEPARTEMENT:
        return Q(departement=scrutin.perimeter)
    return Q()


def roll_by_rules(scrutin: Scrutin) -> QuerySet[Voter]:
    """Voters the rules put in this scrutin: category votes in its body, perimeter matches."""
    categories = VoterCategory.objects.filter(bodies=scrutin.body_id)
    return Voter.objects.filter(
        Q(election_id=scrutin.election_id, category__in=categories) & _perimeter_q(scrutin)
    )


def roll_computed(scrutin: Scrutin) -> QuerySet[Voter]:
    """The roll: the rules' voters, plus manual additions, minus manual removals."""
    adjustments = RollAdjustment.objects.filter(scrutin=scrutin)
    added = adjustments.filter(kind=RollAdjustment.Kind.ADD).values("voter_id")
    removed = adjustments.filter(kind=RollAdjustment.Kind.REMOVE).values("voter_id")
    return Voter.objects.filter(
        Q(pk__in=roll_by_rules(scrutin).values("pk")) | Q(pk__in=added)
    ).exclude(pk__in=removed)


def voter_scrutins(voter: Voter) -> list[Scrutin]:
    """The scrutins a voter takes part in: for each body of their category, the scrutin of
    their perimeter (their académie's CTA, their département's CAPD), then adjustments."""
    bodies = list(voter.category.bodies.all())
    candidates = Scrutin.objects.filter(body__in=bodies).select_related("body")
    chosen = {
        s.pk: s
        for s in candidates
        if s.level == Level.NATIONAL
        or (s.level == Level.ACADEMIE and s.perimeter == voter.academie)
        or (s.level == Level.DEPARTEMENT and s.perimeter == voter.departement)
    }
    for adj in RollAdjustment.objects.filter(voter=voter).select_related("scrutin__body"):
        if adj.kind == RollAdjustment.Kind.ADD:
            chosen[adj.scrutin_id] = adj.scrutin
        else:
            chosen.pop(adj.scrutin_id, None)
    return sorted(chosen.values(), key=lambda s: (s.body_id, s.perimeter))


@dataclass(frozen=True)
class PreviewRow:
    scrutin: Scrutin
    by_rules: int
    added: int
    removed: int

    @property
    def total(self) -> int:
        return self.by_rules + self.added - self.removed


@dataclass(frozen=True)
class RulesPreview:
    rows: list[PreviewRow]
    # Body code -> voters whose category votes in it but no scrutin covers their perimeter.
    uncovered: dict[str, int]
    voters: int


def rules_preview(*, election: Election, rules: dict[int, set[int]] | None = None) -> RulesPreview:
    """How many voters each scrutin gets under `rules` (category id -> body ids), or under
    the saved rules. One grouped query, the rest in memory, so a manager can try rules
    before saving them. Adjustment counts are shown apart (they do not depend on rules)."""
    if rules is None:
        rules = defaultdict(set)
        for cat_id, body_id in VoterCategory.bodies.through.objects.filter(
            votercategory__election=election
        ).values_list("votercategory_id", "body_id"):
            rules[cat_id].add(body_id)
    groups = list(
        Voter.objects.filter(election=election)
        .values_list("category_id", "academie", "departement")
        .annotate(n=Count("id"))
        .order_by()
    )
    scrutins = list(Scrutin.objects.filter(election=election).select_related("body"))
    covered: dict[tuple[int, str], set[str]] = defaultdict(set)
    for s in scrutins:
        covered[(s.body_id, s.level)].add(s.perimeter)
    adjust = defaultdict(int)
    for scrutin_id, kind, n in (
        RollAdjustment.objects.filter(scrutin__election=election)
        .values_list("scrutin_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    ):
        adjust[(scrutin_id, kind)] = n
    counts: dict[tuple[int, str], int] = defaultdict(int)  # (body, perimeter) -> voters
    bodies = {b.pk: b for b in Body.objects.filter(election=election)}
    uncovered: dict[str, int] = defaultdict(int)
    total = 0
    for cat_id, academie, departement, n in groups:
        total += n
        for body_id in rules.get(cat_id, ()):
            body = bodies.get(body_id)
            if body is None:
                continue
            key = {Level.ACADEMIE: academie, Level.DEPARTEMENT: departement}.get(body.level, "")
            counts[(body_id, key)] += n
            if key not in covered.get((body_id, body.level), set()):
                uncovered[body.code] += n
    rows = [
        PreviewRow(
            scrutin=s,
            by_rules=counts[(s.body_id, s.perimeter)] if s.level == s.body.level else 0,
            added=adjust[(s.pk, RollAdjustment.Kind.ADD)],
            removed=adjust[(s.pk, RollAdjustment.Kind.REMOVE)],
        )
        for s in scrutins
    ]
    return RulesPreview(rows=rows, uncovered=dict(uncovered), voters=total)


def voter_search(*, election: Election, query: str) -> QuerySet[Voter]:
    """Helpdesk search: by NUMEN, e-mail or last name (prefix), at most 50 results."""
    query = query.strip()
    base = Voter.objects.filter(election=election).select_related("category")
    if not query:
        return base.none()
    return base.filter(
        # NUMEN and e-mail are stored normalised (upper / lower case): exact, indexed lookups.
        Q(numen=query.upper()) | Q(email=query.lower()) | Q(last_name__istartswith=query)
    )[:50]


def voter_state(voter: Voter) -> dict[str, Any]:
    """What the helpdesk may see of a voter: identity, assignment, published roll lines,
    complaints. Never a secret (there is none in this store)."""
    return {
        "scrutins": voter_scrutins(voter),
        "published_in": list(RollEntry.objects.filter(voter=voter).select_related("scrutin__body")),
        "complaints": list(Complaint.objects.filter(voter=voter)),
    }
