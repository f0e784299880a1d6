"""Who is on a scrutin's roll: the one definition (ADR 0104).

Before the election's rolls are published, a scrutin's roll is the *computed* roll (the
preview): the voters the rules "qui vote où" put in it (their category votes in the
scrutin's body, and their perimeter at the scrutin's level is the scrutin's), plus the manual
additions, minus the manual removals. From the first publication on, the roll is the
*published* one, its `RollEntry` rows (the law's document): every part reads it (portal,
booth, the authority's codes, the cast). An adjustment made after publication changes only
the computed roll, which the next publication (`rolls_publish`, audited) freezes in turn.

The rule is `roll_decide` over a voter's `RollFacts` in a scrutin, with `voter_perimeter`;
each reader derives from them:
- `roll_voters` / `roll_computed`: the roll as a queryset of voters;
- `voter_scrutins`, `on_roll`: the in-memory check, facts read for one voter;
- `rules_preview`: the computed rolls' sizes under proposed rules, counted in memory;
- `roll_facts_sql` / `roll_facts_row`: the facts as columns of the cast's one statement
  (ADRs 0333, 0334), decided by the same `roll_decide`.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db.models import Count, Q, QuerySet

from .models import (
    Body,
    Election,
    Level,
    RollAdjustment,
    RollEntry,
    Scrutin,
    Voter,
    VoterCategory,
)

#: The voter's field holding their perimeter at each scrutin level (national: none).
PERIMETER_FIELD: dict[str, str] = {
    Level.ACADEMIE.value: "academie",
    Level.DEPARTEMENT.value: "departement",
}

_ADD = RollAdjustment.Kind.ADD.value


def voter_perimeter(level: str, **fields: str) -> str:
    """The perimeter a voter belongs to at a scrutin `level`, from their fields (``academie=``,
    ``departement=``): their académie, their département, or "" for a national scrutin."""
    field = PERIMETER_FIELD.get(level)
    return fields[field] if field else ""


@dataclass(frozen=True, slots=True)
class RollFacts:
    """What decides whether one voter is on one scrutin's roll."""

    same_election: bool
    # The election's rolls are published, and the voter's entry in this scrutin's.
    published: bool
    in_published_roll: bool
    # The manual adjustment of this voter in this scrutin (add, remove), if any.
    adjustment: str | None
    # The rules: the voter's category votes in the scrutin's body; their perimeter at the
    # scrutin's level is the scrutin's.
    category_votes: bool
    perimeter_matches: bool


def rolls_published(election: Election) -> bool:
    """Whether the election's rolls are published: from then on the published roll rules."""
    return election.rolls_published_at is not None


def roll_decide(facts: RollFacts) -> bool:
    """Whether the voter is on the roll: the published roll once there is one, else the
    adjustment if any, else the rules."""
    if not facts.same_election:
        return False
    if facts.published:
        return facts.in_published_roll
    if facts.adjustment is not None:
        return facts.adjustment == _ADD
    return facts.category_votes and facts.perimeter_matches


# --- The roll as a queryset ------------------------------------------------------------


def roll_by_rules(scrutin: Scrutin) -> QuerySet[Voter]:
    """Voters the rules put in this scrutin: category votes in its body, perimeter matches."""
    categories = VoterCategory.objects.filter(bodies=scrutin.body_id)
    field = PERIMETER_FIELD.get(scrutin.level)
    perimeter = Q(**{field: scrutin.perimeter}) if field else Q()
    return Voter.objects.filter(
        Q(election_id=scrutin.election_id, category__in=categories) & perimeter
    )


def roll_computed(scrutin: Scrutin) -> QuerySet[Voter]:
    """The computed roll (the preview; what the next publication freezes): the rules'
    voters, plus manual additions, minus manual removals."""
    adjustments = RollAdjustment.objects.filter(scrutin=scrutin)
    added = adjustments.filter(kind=RollAdjustment.Kind.ADD).values("voter_id")
    removed = adjustments.filter(kind=RollAdjustment.Kind.REMOVE).values("voter_id")
    return Voter.objects.filter(
        Q(pk__in=roll_by_rules(scrutin).values("pk")) | Q(pk__in=added)
    ).exclude(pk__in=removed)


def roll_published(scrutin: Scrutin) -> QuerySet[Voter]:
    """The published roll: the voters of the scrutin's `RollEntry` rows."""
    return Voter.objects.filter(
        election_id=scrutin.election_id,
        pk__in=RollEntry.objects.filter(scrutin=scrutin).values("voter_id"),
    )


def roll_voters(scrutin: Scrutin) -> QuerySet[Voter]:
    """The scrutin's roll as it rules now: published once the election's rolls are, else
    computed."""
    if rolls_published(scrutin.election):
        return roll_published(scrutin)
    return roll_computed(scrutin)


# --- The in-memory check ---------------------------------------------------------------


def voter_scrutins(voter: Voter) -> list[Scrutin]:
    """The scrutins whose roll holds the voter (body loaded), in body and perimeter order:
    once published, those of their `RollEntry` rows; before, for each body of their
    category, the scrutin of their perimeter (their académie's CTA, their département's
    CAPD), then their adjustments."""
    published = rolls_published(voter.election)
    entries: set[int] = set()
    adjustments: dict[int, str] = {}
    bodies: set[int] = set()
    if published:
        entries = set(RollEntry.objects.filter(voter=voter).values_list("scrutin_id", flat=True))
        candidates = Q(pk__in=entries)
    else:
        adjustments = dict(
            RollAdjustment.objects.filter(voter=voter).values_list("scrutin_id", "kind")
        )
        bodies = set(
            VoterCategory.bodies.through.objects.filter(
                votercategory_id=voter.category_id
            ).values_list("body_id", flat=True)
        )
        candidates = Q(body_id__in=bodies) | Q(pk__in=adjustments)
    scrutins = Scrutin.objects.filter(candidates, election_id=voter.election_id).select_related(
        "body"
    )
    return sorted(
        (
            s
            for s in scrutins
            if roll_decide(
                RollFacts(
                    same_election=True,
                    published=published,
                    in_published_roll=s.pk in entries,
                    adjustment=adjustments.get(s.pk),
                    category_votes=s.body_id in bodies,
                    perimeter_matches=s.perimeter
                    == voter_perimeter(
                        s.level, academie=voter.academie, departement=voter.departement
                    ),
                )
            )
        ),
        key=lambda s: (s.body_id, s.perimeter),
    )


def on_roll(*, voter: Voter, scrutin: Scrutin) -> bool:
    """Whether the voter is on the scrutin's roll."""
    return voter.election_id == scrutin.election_id and any(
        s.pk == scrutin.pk for s in voter_scrutins(voter)
    )


# --- The preview: the rules counted in memory -------------------------------------------


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
    """How many voters each scrutin's computed roll gets under `rules` (category id -> body
    ids), or under the saved rules: the rule of `roll_by_rules` counted in memory, after one
    grouped query, so a manager can try rules before saving them. Adjustment counts are
    shown apart (they do not depend on rules)."""
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
            key = voter_perimeter(body.level, academie=academie, departement=departement)
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


# --- The cast's SQL fragment -----------------------------------------------------------

#: How many columns `roll_facts_sql` selects.
ROLL_FACTS_COLUMNS = 6


@cache
def roll_facts_sql(*, voter: str, scrutin: str, election: str) -> str:
    """The `RollFacts` as SQL columns, for a statement that has the voter, the scrutin and
    the election under the aliases given (the voter may be NULL: a LEFT JOIN). Read them
    back with `roll_facts_row`."""
    t = {
        "re": RollEntry._meta.db_table,
        "ra": RollAdjustment._meta.db_table,
        "cb": VoterCategory.bodies.through._meta.db_table,
    }
    v, s, e = voter, scrutin, election
    whens = " ".join(f"WHEN '{level}' THEN {v}.{field}" for level, field in PERIMETER_FIELD.items())
    # Only table names and our own level constants go into the text; values are parameters.
    return (
        f"{v}.election_id = {s}.election_id, "  # noqa: S608
        f"{e}.rolls_published_at IS NOT NULL, "
        f"EXISTS (SELECT 1 FROM {t['re']} re WHERE re.scrutin_id = {s}.id "
        f"AND re.voter_id = {v}.id), "
        f"(SELECT ra.kind FROM {t['ra']} ra WHERE ra.voter_id = {v}.id "
        f"AND ra.scrutin_id = {s}.id), "
        f"EXISTS (SELECT 1 FROM {t['cb']} cb WHERE cb.votercategory_id = {v}.category_id "
        f"AND cb.body_id = {s}.body_id), "
        f"{s}.perimeter = CASE {s}.level {whens} ELSE '' END"
    )


def roll_facts_row(values: Sequence[Any]) -> RollFacts:
    """The `RollFacts` read from the columns of `roll_facts_sql` (NULLs, for a voter that
    does not exist, read as false)."""
    same, published, entry, adjustment, votes, perimeter = values
    return RollFacts(
        same_election=bool(same),
        published=bool(published),
        in_published_roll=bool(entry),
        adjustment=adjustment,
        category_votes=bool(votes),
        perimeter_matches=bool(perimeter),
    )
