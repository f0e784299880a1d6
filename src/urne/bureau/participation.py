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

from .models import (
    ParticipationCount,
    ParticipationElectionHour,
    ParticipationHour,
    ParticipationRoll,
    ParticipationTick,
)

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
    """Move every tick into the counters (per scrutin, académie and category; per scrutin and
    hour); returns how many moved. Each batch is one transaction that deletes the ticks it
    counts (``DELETE … RETURNING``), so two compactions at once never count a tick twice, and
    a cast's tick not yet committed waits for the next."""
    ticks = ParticipationTick._meta.db_table
    counts = ParticipationCount._meta.db_table
    hours = ParticipationHour._meta.db_table
    election_hours = ParticipationElectionHour._meta.db_table
    scrutins = Scrutin._meta.db_table
    voters = Voter._meta.db_table
    picked = f"DELETE FROM {ticks} WHERE id IN (SELECT id FROM {ticks} ORDER BY id LIMIT %s)"  # noqa: S608
    add_count = (
        f"ON CONFLICT (scrutin_id, academie, category_id) DO UPDATE "
        f"SET voted = {counts}.voted + excluded.voted"
    )
    add_hour = (
        f"ON CONFLICT (scrutin_id, hour) DO UPDATE SET voted = {hours}.voted + excluded.voted"
    )
    add_election_hour = (
        f"ON CONFLICT (election_id, hour) DO UPDATE "
        f"SET voted = {election_hours}.voted + excluded.voted"
    )
    moved = 0
    while True:
        with transaction.atomic(), connection.cursor() as cur:
            if connection.vendor == "postgresql":
                # One statement: the ticks deleted, grouped (with their voters) and added.
                cur.execute(
                    f"WITH moved AS ({picked} RETURNING scrutin_id, voter_id, voted_at), "  # noqa: S608
                    f"c AS (INSERT INTO {counts} (scrutin_id, academie, category_id, voted) "
                    "SELECT m.scrutin_id, v.academie, v.category_id, count(*) FROM moved m "
                    f"JOIN {voters} v ON v.id = m.voter_id GROUP BY 1, 2, 3 {add_count}), "
                    f"h AS (INSERT INTO {hours} (scrutin_id, hour, voted) "
                    "SELECT scrutin_id, date_trunc('hour', voted_at, 'UTC'), count(*) "
                    f"FROM moved GROUP BY 1, 2 {add_hour}), "
                    f"e AS (INSERT INTO {election_hours} (election_id, hour, voted) "
                    "SELECT s.election_id, date_trunc('hour', m.voted_at, 'UTC'), count(*) "
                    f"FROM moved m JOIN {scrutins} s ON s.id = m.scrutin_id GROUP BY 1, 2 "
                    f"{add_election_hour}) "
                    "SELECT count(*) FROM moved",
                    [batch],
                )
                n = int(cur.fetchone()[0])
            else:
                cur.execute(f"{picked} RETURNING scrutin_id, voter_id, voted_at", [batch])
                rows = cur.fetchall()
                n = len(rows)
                groups = {
                    pk: (academie, category)
                    for pk, academie, category in Voter.objects.filter(
                        pk__in={r[1] for r in rows}
                    ).values_list("pk", "academie", "category_id")
                }
                by_group: Counter[tuple[int, str, int]] = Counter()
                by_hour: Counter[tuple[int, datetime]] = Counter()
                by_election_hour: Counter[tuple[int, datetime]] = Counter()
                elections = dict(
                    Scrutin.objects.filter(pk__in={r[0] for r in rows}).values_list(
                        "pk", "election_id"
                    )
                )
                for scrutin_id, voter_id, voted_at in rows:
                    by_group[(scrutin_id, *groups[voter_id])] += 1
                    by_hour[(scrutin_id, _hour(voted_at))] += 1
                    by_election_hour[(elections[scrutin_id], _hour(voted_at))] += 1
                adapt = connection.ops.adapt_datetimefield_value
                cur.executemany(
                    f"INSERT INTO {counts} (scrutin_id, academie, category_id, voted) "  # noqa: S608
                    f"VALUES (%s, %s, %s, %s) {add_count}",
                    [(*k, v) for k, v in by_group.items()],
                )
                cur.executemany(
                    f"INSERT INTO {hours} (scrutin_id, hour, voted) "  # noqa: S608
                    f"VALUES (%s, %s, %s) {add_hour}",
                    [(sid, adapt(h), v) for (sid, h), v in by_hour.items()],
                )
                cur.executemany(
                    f"INSERT INTO {election_hours} (election_id, hour, voted) "  # noqa: S608
                    f"VALUES (%s, %s, %s) {add_election_hour}",
                    [(eid, adapt(h), v) for (eid, h), v in by_election_hour.items()],
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
    """The registered voters per scrutin, académie and category. Once the rolls are
    published (they no longer change) they are counted once and kept (`ParticipationRoll`);
    before, counted from the rolls as they stand."""
    published = election.rolls_published_at
    if published is None:
        return _rolls_counted(election)
    kept = ParticipationRoll.objects.filter(scrutin__election=election)
    if kept.exists() and not kept.exclude(rolls_published_at=published).exists():
        return {
            (s, a, c): n
            for s, a, c, n in kept.values_list(
                "scrutin_id", "academie", "category_id", "registered"
            )
        }
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


@dataclass(frozen=True)
class Sums:
    """Figures summed per scrutin, per académie and per category."""

    scrutin: dict[int, int]
    academie: dict[str, int]
    category: dict[int, int]


def _sums_of(rows: dict[Key, int]) -> Sums:
    out = Sums({}, {}, {})
    for (s, a, c), n in rows.items():
        out.scrutin[s] = out.scrutin.get(s, 0) + n
        out.academie[a] = out.academie.get(a, 0) + n
        out.category[c] = out.category.get(c, 0) + n
    return out


#: The registered voters' sums of published rolls, per process: (election, publication) →
#: (the election's sums, each scrutin's). A published roll never changes, so they are read once.
_registered: dict[tuple[int, str], tuple[Sums, dict[int, Sums]]] = {}


def registered_sums(election: Election) -> tuple[Sums, dict[int, Sums]]:
    """The registered voters summed for the election and for each scrutin."""
    published = election.rolls_published_at
    memo = (election.pk, published.isoformat()) if published else None
    if memo is not None and memo in _registered:
        return _registered[memo]
    rows = participation_rolls(election)
    per: dict[int, dict[Key, int]] = {}
    for key, n in rows.items():
        per.setdefault(key[0], {})[key] = n
    sums = (_sums_of(rows), {s: _sums_of(r) for s, r in per.items()})
    if memo is not None:
        _registered[memo] = sums
    return sums


def voted_sums(election: Election, scrutin: Scrutin | None = None) -> Sums:
    """The voters counted so far, summed in the database: one scan of the counters with
    grouping sets on PostgreSQL, three aggregates elsewhere."""
    rows = ParticipationCount.objects.filter(scrutin__election=election)
    if scrutin is not None:
        rows = rows.filter(scrutin=scrutin)
    if connection.vendor != "postgresql":
        return Sums(
            *(
                dict(rows.values_list(f).annotate(n=Sum("voted")).order_by())
                for f in ("scrutin_id", "academie", "category_id")
            )
        )
    where, params = (
        ("c.scrutin_id = %s", [scrutin.pk]) if scrutin else ("s.election_id = %s", [election.pk])
    )
    out = Sums({}, {}, {})
    with connection.cursor() as cur:
        cur.execute(
            "SELECT GROUPING(c.scrutin_id), GROUPING(c.academie), c.scrutin_id, c.academie, "  # noqa: S608
            f"c.category_id, sum(c.voted) FROM {ParticipationCount._meta.db_table} c "
            f"JOIN {Scrutin._meta.db_table} s ON s.id = c.scrutin_id WHERE {where} "
            "GROUP BY GROUPING SETS ((c.scrutin_id), (c.academie), (c.category_id))",
            params,
        )
        for g_scrutin, g_academie, s, a, c, n in cur.fetchall():
            if not g_scrutin:
                out.scrutin[s] = int(n)
            elif not g_academie:
                out.academie[a] = int(n)
            else:
                out.category[c] = int(n)
    return out


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


def _lines(
    registered: dict[Any, int], voted: dict[Any, int], labels: dict[Any, str] | None = None
) -> list[Line]:
    labels = labels or {}
    lines = [
        Line(
            label=labels.get(k, str(k)),
            registered=registered.get(k, 0),
            voted=voted.get(k, 0),
            key=k,
        )
        for k in registered.keys() | voted.keys()
    ]
    return sorted(lines, key=lambda line: line.label)


def participation_overview(*, election: Election, scrutin: Scrutin | None = None) -> Overview:
    """The election's participation (or one scrutin's) now: registered, voted and turnout in
    total, per scrutin, per académie and per category, and the votes per hour. The ticks are
    compacted first, so the figures are every émargement set voted so far; the counters hold
    a row per scrutin, académie and category and one per scrutin and hour, summed in the
    database; the registered voters of published rolls are summed once per process."""
    participation_compact()
    now = timezone.now()
    whole, per_scrutin = registered_sums(election)
    hours_rows: Any
    if scrutin is not None:
        registered = per_scrutin.get(scrutin.pk, Sums({}, {}, {}))
        hours_rows = ParticipationHour.objects.filter(scrutin=scrutin)
    else:
        registered = whole
        hours_rows = ParticipationElectionHour.objects.filter(election=election)
    voted = voted_sums(election, scrutin)
    names = {s.pk: str(s) for s in Scrutin.objects.filter(election=election).select_related("body")}
    categories = {c.pk: c.name for c in VoterCategory.objects.filter(election=election)}
    total = Line(
        label="", registered=sum(registered.scrutin.values()), voted=sum(voted.scrutin.values())
    )
    hours: list[Hour] = []
    cumulative = 0
    for at, n in hours_rows.order_by("hour").values_list("hour", "voted"):
        cumulative += n
        hours.append(Hour(at=at, voted=n, cumulative=cumulative))
    return Overview(
        total=total,
        scrutins=_lines(registered.scrutin, voted.scrutin, names),
        academies=_lines(registered.academie, voted.academie),
        categories=_lines(registered.category, voted.category, categories),
        hours=hours,
        as_of=now,
    )


# --- The émargement list -------------------------------------------------------------------


def emargements(*, scrutin: Scrutin, query: str = "") -> QuerySet[Emargement]:
    """The scrutin's émargement list: the voters who voted, with the time, latest first (the
    (scrutin, voted_at) index: a page of a million émargements reads its own rows only);
    ``query`` matches the start of the name, the first name or the NUMEN."""
    rows = Emargement.objects.filter(scrutin=scrutin, state=Emargement.State.VOTED)
    query = query.strip()
    if query:
        rows = rows.filter(
            Q(voter__last_name__istartswith=query)
            | Q(voter__first_name__istartswith=query)
            | Q(voter__numen__iexact=query)
        )
    return rows.select_related("voter", "voter__category").order_by("-voted_at", "-pk")


def emargement_rows(*, scrutin: Scrutin) -> Iterator[list[str]]:
    """The émargement list as spreadsheet rows (the bureau's export), in name order, Paris
    time."""
    rows = emargements(scrutin=scrutin).order_by("voter__last_name", "voter__first_name", "pk")
    for row in rows.iterator(chunk_size=2000):
        v = row.voter
        at = timezone.localtime(row.voted_at).strftime("%Y-%m-%d %H:%M:%S") if row.voted_at else ""
        yield [v.last_name, v.first_name, v.numen, v.academie, v.category.name, at]
