"""Live participation for the polling station (ADR 0771): the counters kept as émargements
arrive, the figures per scrutin, académie and category, the chart's hours and the émargement
list. Who may read them is `backoffice.permissions.participation_visible` (the bureau and
the delegates only, ADR 0531).

The counters cost a cast one row appended (`ParticipationTick`, written in the cast's own
transaction by `urne.booth.services`; no row shared between casts, so no lock wait). The
compaction (`participation_compact`, on the recovery's timer, at each page and at the
freeze) moves the ticks into per-hour `ParticipationCount` rows; a page sums those, a few
hundred thousand rows at most for the largest election, and never reads the émargements.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from urne.booth.models import Emargement
from urne.elections.eligibility import roll_voters, rolls_published
from urne.elections.models import Election, RollEntry, Scrutin, Voter, VoterCategory

from .models import ParticipationCount, ParticipationRoll, ParticipationTick

#: Ticks moved per compaction transaction.
COMPACT_BATCH = 50_000


def participation_tick(*, voter_id: int, scrutin_id: int, voted_at: datetime) -> None:
    """Count one émargement set voted outside the cast's own statement (the recovery's and
    the claim's settle paths); the cast writes the same row in its UPDATE's statement."""
    ParticipationTick.objects.create(voter_id=voter_id, scrutin_id=scrutin_id, voted_at=voted_at)


def _aware(value: datetime | str) -> datetime:
    if isinstance(value, str):  # SQLite's raw cursor
        value = datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


def _hour(value: datetime | str) -> datetime:
    return _aware(value).astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def participation_compact(*, batch: int = COMPACT_BATCH) -> int:
    """Move every tick into the per-hour counters; returns how many moved. Each batch is one
    transaction that deletes the ticks it counts (``DELETE … RETURNING``), so two compactions
    at once never count a tick twice, and a cast's tick not yet committed waits for the next."""
    ticks = ParticipationTick._meta.db_table
    counts = ParticipationCount._meta.db_table
    moved = 0
    while True:
        with transaction.atomic(), connection.cursor() as cur:
            picked = (
                f"DELETE FROM {ticks} WHERE id IN (SELECT id FROM {ticks} ORDER BY id LIMIT %s)"  # noqa: S608
            )
            if connection.vendor == "postgresql":
                # One statement: the ticks deleted, grouped with their voters and added.
                cur.execute(
                    f"WITH moved AS ({picked} RETURNING scrutin_id, voter_id, voted_at), "  # noqa: S608
                    f"added AS (INSERT INTO {counts} (scrutin_id, academie, category_id, hour, "
                    "voted) SELECT m.scrutin_id, v.academie, v.category_id, "
                    "date_trunc('hour', m.voted_at, 'UTC'), count(*) FROM moved m "
                    f"JOIN {Voter._meta.db_table} v ON v.id = m.voter_id GROUP BY 1, 2, 3, 4 "
                    "ON CONFLICT (scrutin_id, academie, category_id, hour) DO UPDATE "
                    f"SET voted = {counts}.voted + excluded.voted RETURNING 1) "
                    "SELECT (SELECT count(*) FROM moved), (SELECT count(*) FROM added)",
                    [batch],
                )
                n = int(cur.fetchone()[0])
            else:
                cur.execute(f"{picked} RETURNING scrutin_id, voter_id, voted_at", [batch])
                rows = cur.fetchall()
                n = len(rows)
                groups = dict(
                    (pk, (academie, category))
                    for pk, academie, category in Voter.objects.filter(
                        pk__in={r[1] for r in rows}
                    ).values_list("pk", "academie", "category_id")
                )
                added: Counter[tuple[int, str, int, datetime]] = Counter()
                for scrutin_id, voter_id, voted_at in rows:
                    academie, category = groups[voter_id]
                    added[(scrutin_id, academie, category, _hour(voted_at))] += 1
                adapt = connection.ops.adapt_datetimefield_value
                cur.executemany(
                    f"INSERT INTO {counts} (scrutin_id, academie, category_id, hour, voted) "  # noqa: S608
                    "VALUES (%s, %s, %s, %s, %s) "
                    "ON CONFLICT (scrutin_id, academie, category_id, hour) DO UPDATE "
                    f"SET voted = {counts}.voted + excluded.voted",
                    [(s, a, c, adapt(h), v) for (s, a, c, h), v in added.items()],
                )
        moved += n
        if n < batch:
            return moved


# --- Registered voters -------------------------------------------------------------------

Key = tuple[int, str, int]  # scrutin id, académie, category id


def _rolls_counted(election: Election) -> dict[Key, int]:
    if rolls_published(election):
        rows = (
            RollEntry.objects.filter(scrutin__election=election)
            .values_list("scrutin_id", "voter__academie", "voter__category_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        return {(s, a, c): n for s, a, c, n in rows}
    out: dict[Key, int] = {}
    for scrutin in Scrutin.objects.filter(election=election).select_related("election"):
        for a, c, n in (
            roll_voters(scrutin)
            .values_list("academie", "category_id")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            out[(scrutin.pk, a, c)] = n
    return out


def participation_rolls(election: Election) -> dict[Key, int]:
    """The registered voters per scrutin, académie and category: once the rolls are
    published (they no longer change), counted once and kept (`ParticipationRoll`); before,
    counted from the rolls as they stand."""
    published = election.rolls_published_at
    if published is None:
        return _rolls_counted(election)
    kept = ParticipationRoll.objects.filter(scrutin__election=election)
    stamps = set(kept.values_list("rolls_published_at", flat=True).distinct())
    if stamps == {published}:
        return {(r.scrutin_id, r.academie, r.category_id): r.registered for r in kept}
    counted = _rolls_counted(election)
    with transaction.atomic():
        kept.delete()
        ParticipationRoll.objects.bulk_create(
            [
                ParticipationRoll(
                    scrutin_id=s,
                    academie=a,
                    category_id=c,
                    registered=n,
                    rolls_published_at=published,
                )
                for (s, a, c), n in counted.items()
            ],
            batch_size=5000,
        )
    return counted


# --- The figures ---------------------------------------------------------------------------


@dataclass
class Line:
    """One row of a participation table."""

    label: str
    registered: int = 0
    voted: int = 0
    key: Any = None

    @property
    def turnout(self) -> Decimal | None:
        """Percent of the registered who voted, to one decimal (None: nobody registered)."""
        if not self.registered:
            return None
        return (Decimal(100 * self.voted) / self.registered).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


@dataclass
class Hour:
    at: datetime
    voted: int
    cumulative: int


@dataclass
class Overview:
    total: Line
    scrutins: list[Line] = field(default_factory=list)
    academies: list[Line] = field(default_factory=list)
    categories: list[Line] = field(default_factory=list)
    hours: list[Hour] = field(default_factory=list)
    as_of: datetime | None = None


def _lines(figures: dict[Any, list[int]], labels: dict[Any, str]) -> list[Line]:
    lines = [
        Line(label=labels.get(k, str(k)), registered=r, voted=v, key=k)
        for k, (r, v) in figures.items()
    ]
    return sorted(lines, key=lambda line: line.label)


def participation_overview(*, election: Election, scrutin: Scrutin | None = None) -> Overview:
    """The election's participation (or one scrutin's) now: registered, voted and turnout in
    total, per scrutin, per académie and per category, and the votes per hour. The ticks are
    compacted first, so the figures are every émargement set voted so far."""
    participation_compact()
    now = timezone.now()
    registered = participation_rolls(election)
    counts = ParticipationCount.objects.filter(scrutin__election=election)
    if scrutin is not None:
        counts = counts.filter(scrutin=scrutin)
        registered = {k: n for k, n in registered.items() if k[0] == scrutin.pk}
    voted = {
        (s, a, c): n
        for s, a, c, n in counts.values_list("scrutin_id", "academie", "category_id")
        .annotate(n=Sum("voted"))
        .order_by()
    }
    by: dict[str, dict[Any, list[int]]] = {"s": {}, "a": {}, "c": {}}
    total = Line(label="")
    for key in registered.keys() | voted.keys():
        r, v = registered.get(key, 0), voted.get(key, 0)
        total.registered += r
        total.voted += v
        for name, k in zip("sac", key, strict=True):
            cell = by[name].setdefault(k, [0, 0])
            cell[0] += r
            cell[1] += v
    scrutins = Scrutin.objects.filter(election=election).select_related("body")
    categories = VoterCategory.objects.filter(election=election)
    hours: list[Hour] = []
    cumulative = 0
    for at, n in counts.values_list("hour").annotate(n=Sum("voted")).order_by("hour"):
        cumulative += n
        hours.append(Hour(at=at, voted=n, cumulative=cumulative))
    return Overview(
        total=total,
        scrutins=_lines(by["s"], {s.pk: str(s) for s in scrutins}),
        academies=_lines(by["a"], {}),
        categories=_lines(by["c"], {c.pk: c.name for c in categories}),
        hours=hours,
        as_of=now,
    )


# --- The émargement list -------------------------------------------------------------------


def emargements(*, scrutin: Scrutin, query: str = "") -> QuerySet[Emargement]:
    """The scrutin's émargement list: the voters who voted, with the time, in name order;
    ``query`` matches the start of the name, the first name or the NUMEN."""
    rows = Emargement.objects.filter(scrutin=scrutin, state=Emargement.State.VOTED)
    query = query.strip()
    if query:
        rows = rows.filter(
            Q(voter__last_name__istartswith=query)
            | Q(voter__first_name__istartswith=query)
            | Q(voter__numen__iexact=query)
        )
    return rows.select_related("voter", "voter__category").order_by(
        "voter__last_name", "voter__first_name", "pk"
    )


def emargement_rows(*, scrutin: Scrutin) -> Iterator[list[str]]:
    """The émargement list as spreadsheet rows (the bureau's export), Paris time."""
    for row in emargements(scrutin=scrutin).iterator(chunk_size=2000):
        v = row.voter
        at = timezone.localtime(row.voted_at).strftime("%Y-%m-%d %H:%M:%S") if row.voted_at else ""
        yield [v.last_name, v.first_name, v.numen, v.academie, v.category.name, at]
