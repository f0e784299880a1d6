"""Seat allocation against published results, the tie rules one by one, the cap, joint lists
and the figures of a procès-verbal (urne.counting; docs/counting.md)."""

from __future__ import annotations

import hashlib
import hmac
from decimal import Decimal
from fractions import Fraction

import pytest

from urne.counting import (
    CountingError,
    DrawNeedsSeed,
    ListVotes,
    Method,
    TieNeedsCandidates,
    TieStage,
    draw_order,
    organisation_votes,
    percent,
    pv_figures,
    seats_allocate,
    votes_split,
)


def lists(**votes: int) -> list[ListVotes]:
    return [ListVotes(name, v) for name, v in votes.items()]


# --- Published results --------------------------------------------------------------------

# Comité technique ministériel de l'éducation nationale, October 2011, 15 seats: the figures
# commonly quoted with the other lists grouped (their total is one vote short of the twelve
# lists' total below, which the seats do not depend on).
CTM_2011 = {
    "FSU": 141_901,
    "UNSA": 72_383,
    "FO": 35_248,
    "SGEN": 34_899,
    "CGT": 22_602,
    "SUD": 20_227,
    "SNALC": 17_467,
    "autres": 4_611,
}
CTM_2011_SEATS = {
    "FSU": 7, "UNSA": 4, "FO": 1, "SGEN": 1, "CGT": 1, "SUD": 1, "SNALC": 0, "autres": 0,
}  # fmt: skip


def test_ctm_education_2011() -> None:
    a = seats_allocate(lists=lists(**CTM_2011), seats=15)
    assert a.seat_map == CTM_2011_SEATS
    assert a.valid == 349_338
    assert a.quotient == Fraction(349_338, 15)
    # 11 seats at the quotient (FSU 6, UNSA 3, FO 1, SGEN 1), four at the highest average.
    assert a.quotient_seats == (6, 3, 1, 1, 0, 0, 0, 0)
    # Averages 22,602 (CGT), 20,271.57… (FSU 141,901/7), 20,227 (SUD), 18,095.75 (UNSA
    # 72,383/4); the next would have been FO's 17,624.
    assert [(r.seat, r.winner) for r in a.rounds] == [
        (12, "CGT"),
        (13, "FSU"),
        (14, "SUD"),
        (15, "UNSA"),
    ]
    first = dict(a.rounds[0].values)
    assert first["FSU"] == Fraction(141_901, 7)
    assert first["SNALC"] == 17_467
    assert a.unattributed == 0 and a.draws == ()


# The same election, each of the twelve lists with its votes, and the procès-verbal figures,
# as published in the French Wikipedia article « Élections professionnelles dans l'Éducation
# nationale » (mirrored at fr-academic.com/dic.nsf/frwiki/1774808): 957,034 registered,
# 368,858 voters (38.54 %), 19,519 blank (5.29 %), no invalid ballot, 349,339 valid votes.
CTM_2011_FULL = [
    ("FSU", 141_914, "40.62", 7),
    ("UNSA Éducation", 72_397, "20.72", 4),
    ("FNEC-FP-FO", 35_245, "10.09", 1),
    ("Sgen-CFDT", 34_907, "9.99", 1),
    ("CGT Éduc'action", 22_598, "6.47", 1),
    ("SUD Éducation", 20_241, "5.79", 1),
    ("CSEN-FGAF-FAEN-SCENRAC-CFTC", 16_485, "4.72", 0),
    ("@venir.écoles CFE-CGC", 1_717, "0.49", 0),
    ("SNCA-EIL", 1_383, "0.40", 0),
    ("STC", 1_019, "0.29", 0),
    ("UDAS", 879, "0.25", 0),
    ("ASAMEN", 554, "0.16", 0),
]


def test_ctm_education_2011_procès_verbal() -> None:
    pv = pv_figures(
        registered=957_034,
        voters=368_858,
        blank=19_519,
        lists=[ListVotes(name, votes) for name, votes, _, _ in CTM_2011_FULL],
        seats=15,
    )
    assert pv.valid == 349_339
    assert pv.turnout is not None and percent(pv.turnout) == Decimal("38.54")
    assert percent(Fraction(pv.blank, pv.voters)) == Decimal("5.29")
    assert [str(percent(s)) for s in pv.shares if s is not None] == [
        share for _, _, share, _ in CTM_2011_FULL
    ]
    assert pv.allocation.seats == tuple(seats for _, _, _, seats in CTM_2011_FULL)


# Commission administrative paritaire nationale of the instituteurs, professeurs des écoles
# and directeurs d'école, October 2011, 10 titular seats, as reported in a forum post quoting
# the results (politiquemania.com/forum/post20840.html): 342,693 registered, 140,546 voters
# (41.01 %), 1,907 blank or invalid, 138,639 valid votes; SNUipp 6 seats, SE 3, SNUDI 1.
# The post's percentages match the votes except UDAS and STC (posted 0.43 and 0.35, where
# 734 and 592 votes are 0.53 and 0.43 %): a slip in the post, the test checks the others.
CAPN_PE_2011 = [
    ("SNUipp-FSU", 66_706, "48.11", 6),
    ("SE-UNSA", 35_076, "25.30", 3),
    ("SNUDI-FO", 12_997, "9.37", 1),
    ("SGEN-CFDT", 9_278, "6.69", 0),
    ("SUD Éducation", 7_071, "5.10", 0),
    ("UNSEN-CGT", 2_812, "2.03", 0),
    ("SNE-CSEN", 1_741, "1.26", 0),
    ("SCENRAC-CFTC", 1_147, "0.83", 0),
    ("UDAS", 734, None, 0),
    ("STC", 592, None, 0),
    ("Avenir Écoles CFE-CGC", 485, "0.35", 0),
]


def test_capn_professeurs_des_ecoles_2011() -> None:
    pv = pv_figures(
        registered=342_693,
        voters=140_546,
        blank=1_907,
        lists=[ListVotes(name, votes) for name, votes, _, _ in CAPN_PE_2011],
        seats=10,
    )
    assert pv.valid == 138_639
    assert pv.turnout is not None and percent(pv.turnout) == Decimal("41.01")
    for (_, _, published, _), share in zip(CAPN_PE_2011, pv.shares, strict=True):
        if published is not None:
            assert share is not None and str(percent(share)) == published
    assert pv.allocation.seats == tuple(seats for _, _, _, seats in CAPN_PE_2011)
    # 6 seats at the quotient (4 + 2), then SNUipp, SNUDI, SE, SNUipp at the highest average.
    assert [r.winner for r in pv.allocation.rounds] == [
        "SNUipp-FSU",
        "SNUDI-FO",
        "SE-UNSA",
        "SNUipp-FSU",
    ]


# --- The methods ---------------------------------------------------------------------------

# A textbook case where the methods differ (10 seats, 100,000 votes), worked by hand:
# quotient 10,000; quotient seats 4, 1, 1, 1, 0, 0. Highest average: 9,400 (Yellows),
# 8,000 (Whites), 7,900 (Reds) against Yellows' 7,833⅓. Largest remainder: 7,000, 6,100, 6,000.
TEXTBOOK = dict(Yellows=47_000, Whites=16_000, Reds=15_800, Greens=12_000, Blues=6_100, Pinks=3_100)


def test_highest_average_and_largest_remainder_differ_on_the_textbook_case() -> None:
    ha = seats_allocate(lists=lists(**TEXTBOOK), seats=10)
    lr = seats_allocate(lists=lists(**TEXTBOOK), seats=10, method=Method.LARGEST_REMAINDER)
    assert ha.seats == (5, 2, 2, 1, 0, 0)
    assert lr.seats == (5, 2, 1, 1, 1, 0)
    assert [dict(r.values)[r.winner] for r in lr.rounds] == [7_000, 6_100, 6_000]
    assert lr.method is Method.LARGEST_REMAINDER and ha.method is Method.HIGHEST_AVERAGE


# --- Ties, in the order of the texts ---------------------------------------------------------


def test_same_average_goes_to_the_most_votes() -> None:
    # Quotient 150: A 1 seat; then A 200/2 = B 100/1 = 100.
    a = seats_allocate(lists=lists(A=200, B=100), seats=2)
    assert a.seat_map == {"A": 2, "B": 0}
    tie = a.rounds[0].tie
    assert tie is not None and tie.names == ("A", "B") and tie.decided_by is TieStage.VOTES


def test_same_votes_goes_to_the_most_candidates() -> None:
    a = seats_allocate(lists=[ListVotes("A", 100, 2), ListVotes("B", 100, 3)], seats=1)
    assert a.seat_map == {"A": 0, "B": 1}
    assert a.rounds[0].tie is not None
    assert a.rounds[0].tie.decided_by is TieStage.CANDIDATES


def test_same_candidates_goes_to_a_draw_from_the_seed() -> None:
    tied = [ListVotes("Liste B", 100, 2), ListVotes("Liste A", 100, 2), ListVotes("C", 50, 9)]
    with pytest.raises(DrawNeedsSeed) as raised:
        seats_allocate(lists=tied, seats=1)
    assert raised.value.names == ("Liste B", "Liste A")

    a = seats_allocate(lists=tied, seats=1, seed="bureau central 2026-12-08")
    (draw,) = a.draws
    assert draw.seed == "bureau central 2026-12-08" and draw.round == 1
    assert draw.names == ("Liste A", "Liste B")
    # The documented construction, recomputed here: HMAC-SHA256 keyed by the seed over
    # ["urne-seats/draw/1",round,name] as compact UTF-8 JSON; the smallest digest wins.
    digests = {
        name: hmac.new(
            b"bureau central 2026-12-08",
            f'["urne-seats/draw/1",1,"{name}"]'.encode(),
            hashlib.sha256,
        ).hexdigest()
        for name in ("Liste A", "Liste B")
    }
    assert draw.digests == (digests["Liste A"], digests["Liste B"])
    assert draw.winner == min(digests, key=digests.__getitem__)
    assert a.seat_map[draw.winner] == 1
    assert a.rounds[0].tie is not None and a.rounds[0].tie.decided_by is TieStage.DRAW
    # Same seed, same draw, whatever the order of the lists.
    again = seats_allocate(lists=list(reversed(tied)), seats=1, seed=draw.seed)
    assert again.draws == a.draws


def test_draw_known_answer() -> None:
    draw = draw_order(seed="seed", round=3, names=["UNSA", "FSU", "FO"])
    assert draw.names == ("FO", "FSU", "UNSA")
    assert draw == draw_order(seed="seed", round=3, names=["FO", "UNSA", "FSU"])
    assert draw.order == tuple(n for _, n in sorted(zip(draw.digests, draw.names, strict=True)))
    assert len(set(draw.digests)) == 3 and all(len(d) == 64 for d in draw.digests)


def test_candidates_rule_needs_the_candidates() -> None:
    with pytest.raises(TieNeedsCandidates):
        seats_allocate(lists=[ListVotes("A", 100, 2), ListVotes("B", 100)], seats=1)


# --- The cap on candidates -------------------------------------------------------------------


def test_a_list_gets_no_more_seats_than_candidates_and_the_rest_are_reported() -> None:
    a = seats_allocate(lists=[ListVotes("A", 1_000, 2), ListVotes("B", 10, 1)], seats=5)
    assert a.seat_map == {"A": 2, "B": 1}
    assert a.quotient_seats == (2, 0)  # A's quota of 4 stops at its 2 candidates
    assert a.unattributed == 2


def test_a_capped_list_leaves_its_seats_to_the_others() -> None:
    a = seats_allocate(lists=[ListVotes("A", 1_000, 2), ListVotes("B", 10)], seats=5)
    assert a.seat_map == {"A": 2, "B": 3} and a.unattributed == 0


def test_no_seat_without_votes() -> None:
    a = seats_allocate(lists=lists(A=0, B=0), seats=3)
    assert a.seats == (0, 0) and a.unattributed == 3 and a.quotient == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lists": [], "seats": 1}, "no list"),
        ({"lists": lists(A=1) + lists(A=2), "seats": 1}, "twice: A"),
        ({"lists": lists(A=1), "seats": 0}, "seats"),
        ({"lists": lists(A=1), "seats": 1, "seed": ""}, "seed"),
    ],
)
def test_bad_input(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(CountingError, match=message):
        seats_allocate(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("votes", "candidates"), [(-1, None), (1, 0), (True, None), (1.0, None), (1, -2)]
)
def test_bad_list(votes: object, candidates: object) -> None:
    with pytest.raises(CountingError):
        ListVotes("A", votes, candidates)  # type: ignore[arg-type]


# --- Joint lists ------------------------------------------------------------------------------


def test_joint_list_split_on_the_declared_basis() -> None:
    split = votes_split(
        votes=1_000, organisations=["X", "Y"], basis=[Fraction(3, 5), Fraction(2, 5)]
    )
    assert split == {"X": 600, "Y": 400}


def test_joint_list_split_equally_without_a_basis() -> None:
    split = votes_split(votes=100, organisations=["X", "Y", "Z"])
    assert split == {"X": Fraction(100, 3), "Y": Fraction(100, 3), "Z": Fraction(100, 3)}
    total = organisation_votes(splits=[split, {"X": Fraction(50)}])
    assert total == {"X": Fraction(250, 3), "Y": Fraction(100, 3), "Z": Fraction(100, 3)}


@pytest.mark.parametrize(
    ("organisations", "basis"),
    [
        (["X", "Y"], [Fraction(1, 2), Fraction(1, 3)]),
        (["X", "Y"], [Fraction(1)]),
        (["X", "X"], None),
        (["X", "Y"], [Fraction(3, 2), Fraction(-1, 2)]),
        ([], None),
    ],
)
def test_joint_list_bad_basis(organisations: list[str], basis: list[Fraction] | None) -> None:
    with pytest.raises(CountingError):
        votes_split(votes=10, organisations=organisations, basis=basis)


# --- Figures of a procès-verbal -----------------------------------------------------------------


def test_percent_rounds_half_up_exactly() -> None:
    assert percent(Fraction(1, 8)) == Decimal("12.50")
    assert percent(Fraction(81, 20_000)) == Decimal("0.41")  # 0.405 %, half up
    assert percent(Fraction(80_999, 20_000_000)) == Decimal("0.40")
    assert percent(Fraction(2, 3), places=0) == Decimal("67")
    assert percent(Fraction(0)) == Decimal("0.00")


@pytest.mark.parametrize(
    ("registered", "voters", "blank", "message"),
    [
        (10, 11, 0, "more voters than registered"),
        (10, 5, 6, "more blank"),
        (10, 8, 1, "add up to 6, not to the 7"),
        (-1, 0, 0, "registered"),
    ],
)
def test_pv_figures_must_agree(registered: int, voters: int, blank: int, message: str) -> None:
    with pytest.raises(CountingError, match=message):
        pv_figures(
            registered=registered, voters=voters, blank=blank, lists=lists(A=4, B=2), seats=2
        )
