"""The JSON form of an allocation and of a procès-verbal's figures (what ``urne-seats`` prints).

Exact values are strings: a fraction is ``"numerator/denominator"`` (``"141901/7"``), an integer
value ``"7"``. Percentages are strings with two decimals, rounded half up exactly
(``urne.counting.pv.percent``). Nothing is a JSON float, so no reader rounds anything.
"""

from __future__ import annotations

from fractions import Fraction

from .draw import Draw
from .pv import ProcesVerbal, percent
from .seats import Allocation, Round

type Json = bool | int | str | list[Json] | dict[str, Json] | None


def fraction_text(value: Fraction) -> str:
    return str(value)


def draw_report(draw: Draw) -> dict[str, Json]:
    return {
        "round": draw.round,
        "seed": draw.seed,
        "names": list(draw.names),
        "digests": dict(zip(draw.names, draw.digests, strict=True)),
        "order": list(draw.order),
        "winner": draw.winner,
    }


def round_report(r: Round) -> dict[str, Json]:
    tie: Json = None
    if r.tie is not None:
        tie = {"names": list(r.tie.names), "decided_by": r.tie.decided_by.value}
    return {
        "round": r.number,
        "seat": r.seat,
        "values": {name: fraction_text(v) for name, v in r.values},
        "winner": r.winner,
        "tie": tie,
    }


def allocation_report(a: Allocation) -> dict[str, Json]:
    return {
        "method": a.method.value,
        "seats_to_fill": a.seats_to_fill,
        "valid": a.valid,
        "quotient": fraction_text(a.quotient),
        "seats": dict(a.seat_map),
        "lists": [
            {
                "name": lst.name,
                "votes": lst.votes,
                "candidates": lst.candidates,
                "quotient_seats": q,
                "seats": s,
                "share": fraction_text(Fraction(lst.votes, a.valid)) if a.valid else None,
                "share_percent": str(percent(Fraction(lst.votes, a.valid))) if a.valid else None,
            }
            for lst, q, s in zip(a.lists, a.quotient_seats, a.seats, strict=True)
        ],
        "rounds": [round_report(r) for r in a.rounds],
        "draws": [draw_report(d) for d in a.draws],
        "unattributed": a.unattributed,
        "seed": a.seed,
    }


def pv_report(pv: ProcesVerbal) -> dict[str, Json]:
    report = allocation_report(pv.allocation)
    report["pv"] = {
        "registered": pv.registered,
        "voters": pv.voters,
        "blank": pv.blank,
        "invalid": pv.invalid,
        "valid": pv.valid,
        "turnout": fraction_text(pv.turnout) if pv.turnout is not None else None,
        "turnout_percent": str(percent(pv.turnout)) if pv.turnout is not None else None,
    }
    return report
