"""Properties of seat allocation (urne.counting.seats), for both methods: every seat is given
unless the lists are capped; more votes never cost a list a seat; ties follow the texts' order;
draws are reproducible and recorded; the methods agree where they must."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from urne.counting import (
    Allocation,
    ListVotes,
    Method,
    TieStage,
    draw_order,
    seats_allocate,
)

methods = st.sampled_from(list(Method))
seats_n = st.integers(min_value=1, max_value=20)
# Few distinct vote counts and candidates, so that ties (and draws) are frequent.
tie_prone_votes = st.sampled_from([0, 1, 2, 3, 5, 10, 12, 15, 20, 30, 60, 100])
any_votes = st.one_of(tie_prone_votes, st.integers(min_value=0, max_value=2_000_000))
candidates = st.integers(min_value=1, max_value=8)
seeds = st.text(min_size=1, max_size=20)


@st.composite
def ballots(draw: st.DrawFn) -> list[ListVotes]:
    n = draw(st.integers(min_value=1, max_value=6))
    return [ListVotes(f"L{i}", draw(any_votes), draw(candidates)) for i in range(n)]


def cap(lst: ListVotes, seats: int) -> int:
    return seats if lst.candidates is None else min(lst.candidates, seats)


@settings(max_examples=400, deadline=None)
@given(ballots(), seats_n, methods, seeds)
def test_seats_given_never_exceed_the_seats_and_equal_them_unless_capped(
    lists: list[ListVotes], seats: int, method: Method, seed: str
) -> None:
    a = seats_allocate(lists=lists, seats=seats, method=method, seed=seed)
    assert a.given + a.unattributed == seats
    assert 0 <= a.given <= seats
    for lst, n in zip(lists, a.seats, strict=True):
        assert 0 <= n <= cap(lst, seats)
        if lst.votes == 0:
            assert n == 0
    if a.unattributed:
        # Seats stay unattributed only when every list with votes is at its cap.
        assert all(n == cap(lst, seats) for lst, n in zip(lists, a.seats, strict=True) if lst.votes)
    assert len(a.rounds) == a.given - sum(a.quotient_seats)


@settings(max_examples=400, deadline=None)
@given(
    ballots(),
    seats_n,
    methods,
    seeds,
    st.integers(min_value=0, max_value=5),
    st.integers(min_value=1, max_value=100_000),
)
def test_more_votes_never_give_a_list_fewer_seats(
    lists: list[ListVotes], seats: int, method: Method, seed: str, which: int, more: int
) -> None:
    # Holds for both methods: the largest remainder's paradoxes are about the number of
    # seats (Alabama) or two lists changing at once, not one list gaining votes alone
    # (docs/counting.md gives the argument).
    i = which % len(lists)
    before = seats_allocate(lists=lists, seats=seats, method=method, seed=seed)
    grown = list(lists)
    grown[i] = ListVotes(lists[i].name, lists[i].votes + more, lists[i].candidates)
    after = seats_allocate(lists=grown, seats=seats, method=method, seed=seed)
    assert after.seats[i] >= before.seats[i]


def check_ties(a: Allocation) -> None:
    by_name = {lst.name: lst for lst in a.lists}
    for r in a.rounds:
        values = dict(r.values)
        best = max(values.values())
        tied = [name for name, v in r.values if v == best]
        assert values[r.winner] == best
        if len(tied) == 1:
            assert r.tie is None
            continue
        assert r.tie is not None and list(r.tie.names) == tied
        most_votes = max(by_name[n].votes for n in tied)
        left = [n for n in tied if by_name[n].votes == most_votes]
        assert by_name[r.winner].votes == most_votes
        if len(left) == 1:
            assert r.tie.decided_by is TieStage.VOTES and r.tie.draw is None
            continue
        most = max(by_name[n].candidates or 0 for n in left)
        left = [n for n in left if by_name[n].candidates == most]
        assert by_name[r.winner].candidates == most
        if len(left) == 1:
            assert r.tie.decided_by is TieStage.CANDIDATES and r.tie.draw is None
            continue
        assert r.tie.decided_by is TieStage.DRAW and r.tie.draw is not None
        assert r.tie.draw.names == tuple(sorted(left))
        assert r.tie.draw.winner == r.winner


@settings(max_examples=400, deadline=None)
@given(ballots(), seats_n, methods, seeds)
def test_ties_follow_average_then_votes_then_candidates_then_draw(
    lists: list[ListVotes], seats: int, method: Method, seed: str
) -> None:
    check_ties(seats_allocate(lists=lists, seats=seats, method=method, seed=seed))


@settings(max_examples=300, deadline=None)
@given(ballots(), seats_n, methods, seeds)
def test_draws_are_reproducible_from_the_seed_and_recorded(
    lists: list[ListVotes], seats: int, method: Method, seed: str
) -> None:
    a = seats_allocate(lists=lists, seats=seats, method=method, seed=seed)
    assert a.seed == seed
    again = seats_allocate(lists=list(reversed(lists)), seats=seats, method=method, seed=seed)
    assert again.seat_map == a.seat_map and again.draws == a.draws
    for d in a.draws:
        assert d.seed == seed
        assert draw_order(seed=seed, round=d.round, names=list(reversed(d.names))) == d
        assert sorted(d.order) == list(d.names)


@given(
    st.lists(st.text(min_size=1, max_size=8), min_size=2, max_size=6, unique=True),
    seeds,
    st.integers(min_value=1, max_value=50),
    st.randoms(use_true_random=False),
)
def test_a_draw_depends_on_its_inputs_only(
    names: list[str], seed: str, round_: int, rnd: object
) -> None:
    shuffled = list(names)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert draw_order(seed=seed, round=round_, names=names) == draw_order(
        seed=seed, round=round_, names=shuffled
    )


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=6).filter(
        lambda parts: sum(parts) > 0
    ),
    st.integers(min_value=1, max_value=10_000),
)
def test_methods_agree_when_every_quota_is_a_whole_number(parts: list[int], unit: int) -> None:
    # votes_i = parts_i × unit and seats = Σ parts: each list's quota is exactly parts_i.
    lists = [ListVotes(f"L{i}", p * unit) for i, p in enumerate(parts)]
    for method in Method:
        a = seats_allocate(lists=lists, seats=sum(parts), method=method)
        assert a.seats == tuple(parts) and a.rounds == ()
        assert a.quotient == Fraction(unit)


@settings(max_examples=300, deadline=None)
@given(ballots(), seeds)
def test_methods_agree_on_a_single_seat(lists: list[ListVotes], seed: str) -> None:
    ha = seats_allocate(lists=lists, seats=1, seed=seed)
    lr = seats_allocate(lists=lists, seats=1, method=Method.LARGEST_REMAINDER, seed=seed)
    assert ha.seats == lr.seats
    if ha.given:
        (winner,) = [lst for lst, n in zip(lists, ha.seats, strict=True) if n]
        assert winner.votes == max(lst.votes for lst in lists)
