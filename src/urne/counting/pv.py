"""The figures of a procès-verbal for one scrutin: registered, voters, blank, valid votes
(suffrages valablement exprimés), each list's votes, share and seats, and the rounds.

The bureau « constate le nombre total de votants et détermine le nombre total de suffrages
valablement exprimés ainsi que le nombre de voix obtenues par chaque organisation syndicale »
(Code général de la fonction publique, art. R. 211-118, comités sociaux d'administration).
Valid votes are the voters less the blank and the invalid (nuls) ballots; an online ballot is
never invalid, so ``invalid`` defaults to 0.

Shares and turnout are exact fractions; ``percent`` rounds them for display to a fixed number
of decimals, half up, computed exactly (ADR 0400).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .seats import Allocation, CountingError, ListVotes, Method, seats_allocate


@dataclass(frozen=True)
class ProcesVerbal:
    registered: int
    voters: int
    blank: int
    invalid: int
    valid: int
    turnout: Fraction | None
    """Voters over registered; ``None`` when no one is registered."""
    shares: tuple[Fraction | None, ...]
    """Each list's votes over the valid votes, in the order of the lists; ``None`` when there is
    no valid vote."""
    allocation: Allocation


def pv_figures(
    *,
    registered: int,
    voters: int,
    blank: int,
    lists: Sequence[ListVotes],
    seats: int,
    invalid: int = 0,
    method: Method = Method.HIGHEST_AVERAGE,
    seed: str | None = None,
) -> ProcesVerbal:
    """Check the figures against each other and allocate the seats.

    Raises ``CountingError`` when a figure is negative, when there are more voters than
    registered or more blank and invalid ballots than voters, or when the lists' votes do not
    add up to the valid votes.
    """
    for label, value in (
        ("registered", registered),
        ("voters", voters),
        ("blank", blank),
        ("invalid", invalid),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise CountingError(f"{label} must be a whole number, 0 or more")
    if voters > registered:
        raise CountingError("more voters than registered")
    if blank + invalid > voters:
        raise CountingError("more blank and invalid ballots than voters")
    valid = voters - blank - invalid
    allocation = seats_allocate(lists=lists, seats=seats, method=method, seed=seed)
    if allocation.valid != valid:
        raise CountingError(
            f"the lists' votes add up to {allocation.valid}, not to the {valid} valid votes"
        )
    return ProcesVerbal(
        registered=registered,
        voters=voters,
        blank=blank,
        invalid=invalid,
        valid=valid,
        turnout=Fraction(voters, registered) if registered else None,
        shares=tuple(Fraction(lst.votes, valid) if valid else None for lst in allocation.lists),
        allocation=allocation,
    )


def percent(value: Fraction, *, places: int = 2) -> Decimal:
    """``value`` × 100 rounded to ``places`` decimals, half up (away from zero), exactly.

    Computed on integers, so 0.405 of a percent point is never a binary 0.40499…: e.g.
    ``percent(Fraction(1, 8))`` is ``Decimal("12.50")`` and ``percent(Fraction(81, 20000))`` is
    ``Decimal("0.41")``.
    """
    if places < 0:
        raise ValueError("places must be 0 or more")
    scaled = abs(value) * 100 * 10**places
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if 2 * rest >= scaled.denominator:
        whole += 1
    sign = -1 if value < 0 else 1
    return Decimal(sign * whole).scaleb(-places)
