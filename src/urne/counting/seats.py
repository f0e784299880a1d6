"""Seats for the lists of one scrutin: the electoral quotient, then the highest average.

The rule, as the texts of the State civil service state it (comités sociaux d'administration,
formerly comités techniques; commissions administratives paritaires):

1. The **electoral quotient** is the number of valid votes (suffrages valablement exprimés)
   divided by the number of titular seats to fill; each list gets as many seats as its votes
   contain the quotient.
2. The seats left are given one at a time **at the highest average**: to the list whose votes
   divided by (its seats + 1) are largest.
3. A list cannot get more seats than it presented candidates for; seats that no list can take
   are **not attributed** (they are reported, never silently given away).
4. **Ties**: when lists have the same average, the seat goes to the list with the most votes;
   with the same votes, to the list that presented the most candidates; with the same number of
   candidates, by a draw (``urne.counting.draw``, reproducible from the bureau's seed).

The **largest remainder** method is available as an option (some bodies outside the State
civil service use it): after the quotient seats, each seat goes to the list whose votes not yet
used (votes − seats × quotient) are largest, with the same tie rules.

Sources (see docs/counting.md for the full list and what could not be confirmed):

- Décret n° 2011-184 du 15 février 2011, art. 28 (comités techniques), whose sentences the rule
  above follows (its consolidated text was not available here: the wording is the one commonly
  quoted); carried into décret n° 2020-1427 du 20 novembre 2020 (comités sociaux
  d'administration), and since 1 February 2025 into the regulatory part of the Code général de
  la fonction publique (décret n° 2024-1038 du 6 novembre 2024, livres Ier et II).
- CGFP, art. R. 211-118 (comités sociaux d'administration): « Le bureau de vote central
  constate le nombre total de votants et détermine le nombre total de suffrages valablement
  exprimés… » and the quotient. CGFP, art. R. 211-439 (commission administrative paritaire
  nationale): « Le quotient électoral obtenu en divisant le nombre total de suffrages
  valablement exprimés par le nombre de représentants titulaires à élire ».
- The article numbers of the CGFP that carry the highest-average, cap and tie sentences for each
  body could not be confirmed from the texts available when this module was written; the
  sentences themselves are those of décret 2011-184 art. 28 and of the CAP texts (a circular
  applying art. 21 of the CAP decree states the same three tie rules in the same order).

Arithmetic is exact: integers and ``fractions.Fraction``, never floats (ADR 0400).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from .draw import Draw, draw_order


class Method(StrEnum):
    HIGHEST_AVERAGE = "highest-average"
    LARGEST_REMAINDER = "largest-remainder"


class TieStage(StrEnum):
    """The rule that settled a tie, in the order the texts apply them."""

    VOTES = "votes"
    CANDIDATES = "candidates"
    DRAW = "draw"


class CountingError(ValueError):
    """Input the rules cannot count (the message says why, in one line)."""


class DrawNeedsSeed(CountingError):
    """A tie reached the draw and no seed was given."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)
        super().__init__(
            f"a draw is needed between {', '.join(self.names)}: give the bureau's seed"
        )


class TieNeedsCandidates(CountingError):
    """A tie reached the candidates rule and a tied list's number of candidates is unknown."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)
        super().__init__(
            f"{', '.join(self.names)} tie on their average and their votes: "
            "the number of candidates of each is needed"
        )


@dataclass(frozen=True)
class ListVotes:
    """A list's name, its valid votes and, when known, the candidates it presented.

    ``candidates`` is the cap: the list cannot get more seats. ``None`` means no cap (a complete
    list); the candidates tie rule then needs it given.
    """

    name: str
    votes: int
    candidates: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise CountingError("a list needs a non-empty name")
        if not _is_int(self.votes) or self.votes < 0:
            raise CountingError(f"{self.name}: votes must be a whole number, 0 or more")
        if self.candidates is not None and (not _is_int(self.candidates) or self.candidates < 1):
            raise CountingError(f"{self.name}: candidates must be a whole number, 1 or more")


@dataclass(frozen=True)
class Tie:
    """Lists that had the same average (or remainder) in a round, and how it was settled."""

    names: tuple[str, ...]
    decided_by: TieStage
    draw: Draw | None = None


@dataclass(frozen=True)
class Round:
    """One seat given after the quotient: the values compared, the winner, the tie if any."""

    number: int
    """1 for the first seat given after the quotient seats, and so on."""
    seat: int
    """The seat's number among all seats (quotient seats come first)."""
    values: tuple[tuple[str, Fraction], ...]
    """Each eligible list's average (or remainder) in this round, in the lists' order."""
    winner: str
    tie: Tie | None = None


@dataclass(frozen=True)
class Allocation:
    """The outcome of ``seats_allocate``; tuples follow the order of ``lists``."""

    method: Method
    seats_to_fill: int
    valid: int
    quotient: Fraction
    lists: tuple[ListVotes, ...]
    quotient_seats: tuple[int, ...]
    """Seats given by the quotient, after the cap."""
    seats: tuple[int, ...]
    rounds: tuple[Round, ...]
    unattributed: int
    """Seats no list could take: every list with votes had reached its cap."""
    seed: str | None = None

    @property
    def seat_map(self) -> dict[str, int]:
        return {lst.name: n for lst, n in zip(self.lists, self.seats, strict=True)}

    @property
    def given(self) -> int:
        return sum(self.seats)

    @property
    def draws(self) -> tuple[Draw, ...]:
        return tuple(r.tie.draw for r in self.rounds if r.tie is not None and r.tie.draw)


def seats_allocate(
    *,
    lists: Sequence[ListVotes],
    seats: int,
    method: Method = Method.HIGHEST_AVERAGE,
    seed: str | None = None,
) -> Allocation:
    """Give ``seats`` titular seats to ``lists`` by the quotient then ``method``.

    ``seed`` is the bureau's seed for a draw; without it a tie that reaches the draw raises
    ``DrawNeedsSeed`` (a draw is never made from an unrecorded source). A list with no vote
    gets no seat. Raises ``CountingError`` on input the rules cannot count.
    """
    lists = tuple(lists)
    if not lists:
        raise CountingError("no list to count")
    names = [lst.name for lst in lists]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise CountingError(f"a list name appears twice: {', '.join(twice)}")
    if not _is_int(seats) or seats < 1:
        raise CountingError("the number of seats must be a whole number, 1 or more")
    if seed is not None and (not isinstance(seed, str) or not seed):
        raise CountingError("the seed must be a non-empty string")

    valid = sum(lst.votes for lst in lists)
    quotient = Fraction(valid, seats)
    caps = [seats if lst.candidates is None else min(lst.candidates, seats) for lst in lists]
    # votes // quotient without a division by a fraction: votes × seats // valid.
    given = [
        min(lst.votes * seats // valid, cap) if valid else 0
        for lst, cap in zip(lists, caps, strict=True)
    ]
    quotient_seats = tuple(given)

    rounds: list[Round] = []
    while sum(given) < seats:
        eligible = [i for i, lst in enumerate(lists) if lst.votes > 0 and given[i] < caps[i]]
        if not eligible:
            break
        values = {i: _value(method, lists[i].votes, given[i], quotient) for i in eligible}
        best = max(values.values())
        tied = [i for i in eligible if values[i] == best]
        number = len(rounds) + 1
        winner, tie = _tie_break(tied, lists, number, seed)
        given[winner] += 1
        rounds.append(
            Round(
                number=number,
                seat=sum(given),
                values=tuple((lists[i].name, values[i]) for i in eligible),
                winner=lists[winner].name,
                tie=tie,
            )
        )

    return Allocation(
        method=method,
        seats_to_fill=seats,
        valid=valid,
        quotient=quotient,
        lists=lists,
        quotient_seats=quotient_seats,
        seats=tuple(given),
        rounds=tuple(rounds),
        unattributed=seats - sum(given),
        seed=seed,
    )


def _value(method: Method, votes: int, seats: int, quotient: Fraction) -> Fraction:
    if method is Method.HIGHEST_AVERAGE:
        return Fraction(votes, seats + 1)
    return votes - seats * quotient


def _tie_break(
    tied: list[int], lists: tuple[ListVotes, ...], number: int, seed: str | None
) -> tuple[int, Tie | None]:
    if len(tied) == 1:
        return tied[0], None
    names = tuple(lists[i].name for i in tied)
    most_votes = max(lists[i].votes for i in tied)
    left = [i for i in tied if lists[i].votes == most_votes]
    if len(left) == 1:
        return left[0], Tie(names=names, decided_by=TieStage.VOTES)
    counts = [lists[i].candidates for i in left]
    if any(c is None for c in counts):
        raise TieNeedsCandidates([lists[i].name for i in left])
    most_candidates = max(c for c in counts if c is not None)
    left = [i for i in left if lists[i].candidates == most_candidates]
    if len(left) == 1:
        return left[0], Tie(names=names, decided_by=TieStage.CANDIDATES)
    if seed is None:
        raise DrawNeedsSeed([lists[i].name for i in left])
    draw = draw_order(seed=seed, round=number, names=[lists[i].name for i in left])
    winner = next(i for i in left if lists[i].name == draw.winner)
    return winner, Tie(names=names, decided_by=TieStage.DRAW, draw=draw)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
