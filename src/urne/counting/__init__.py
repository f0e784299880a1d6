"""Counting: seats for the lists of a scrutin by the civil-service rules, ties, caps, joint
lists' split of votes, and the figures of a procès-verbal. Pure: no Django, no I/O (the
``urne-seats`` command in ``cli`` reads its arguments and prints); exact arithmetic.

See docs/counting.md and ADR 0400.
"""

from .draw import Draw, draw_order
from .joint import organisation_votes, votes_split
from .pv import ProcesVerbal, percent, pv_figures
from .seats import (
    Allocation,
    CountingError,
    DrawNeedsSeed,
    ListVotes,
    Method,
    Round,
    Tie,
    TieNeedsCandidates,
    TieStage,
    seats_allocate,
)

__all__ = [
    "Allocation",
    "CountingError",
    "Draw",
    "DrawNeedsSeed",
    "ListVotes",
    "Method",
    "ProcesVerbal",
    "Round",
    "Tie",
    "TieNeedsCandidates",
    "TieStage",
    "draw_order",
    "organisation_votes",
    "percent",
    "pv_figures",
    "seats_allocate",
    "votes_split",
]
