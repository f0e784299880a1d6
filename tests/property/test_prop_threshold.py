"""Threshold decryption (docs/protocol.md §6.2, §8): any ``threshold`` members with the president
decrypt to the same result, fewer cannot; Lagrange interpolation; bounded discrete log."""

from __future__ import annotations

import functools
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from urne.ceremony import SeededRandom, make_ballot, make_setup
from urne.crypto.ballot import parse_ballot
from urne.crypto.group import GROUP, Q
from urne.crypto.tally import (
    CombinationError,
    DiscreteLog,
    combine_factors,
    compute_encrypted_tally,
    compute_partial_decryption,
    compute_result,
    lagrange,
)
from urne.crypto.threshold import check_pedersen
from urne.crypto.trustees import raw_coefexps

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SHAPES = [(3, 2), (4, 2), (4, 3), (5, 3)]
VOTES = [2, 1, 0, 3, 1, 1]  # slot per voter (0 = blank) among 3 lists


@functools.cache
def decrypted_election(members: int, threshold: int):
    """An election with a ``threshold``-of-``members`` group: tally and every trustee's
    partial decryption, keyed by trustee id (1 = president, 1 + m = member m)."""
    sim = make_setup(
        voters=len(VOTES),
        lists=3,
        seed=f"t{members}{threshold}",
        members=members,
        threshold=threshold,
    )
    ballots = []
    for i, (cred, slot) in enumerate(zip(sim.credentials.values(), VOTES, strict=True)):
        plain = [0, 0, 0, 0]
        plain[slot] = 1
        ballots.append(make_ballot(sim.election, cred, [plain], f"b{i}"))
    tally, _, total = compute_encrypted_tally(
        sim.election, [(parse_ballot(b.to_string()), 1) for b in ballots]
    )
    rnd = SeededRandom("pd")
    pds = {1: compute_partial_decryption(sim.election, tally, sim.president_key, rnd.scalar)}
    for m in range(1, members + 1):
        pds[1 + m] = compute_partial_decryption(sim.election, tally, sim.group.share(m), rnd.scalar)
    return sim, tally, total, pds


EXPECTED = [[VOTES.count(k) for k in range(4)]]


@pytest.mark.parametrize(("members", "threshold"), SHAPES)
def test_the_ceremony_gives_a_valid_group(members, threshold):
    sim, *_ = decrypted_election(members, threshold)
    assert check_pedersen(sim.group.params) == []
    assert sim.group.params.threshold == threshold
    assert len(sim.group.params.verification_keys) == members


@pytest.mark.parametrize(("members", "threshold"), SHAPES)
def test_any_threshold_subset_decrypts(members, threshold):
    sim, tally, total, pds = decrypted_election(members, threshold)
    for size in range(threshold, members + 1):
        for subset in itertools.combinations(range(1, members + 1), size):
            chosen = {1: pds[1]} | {1 + m: pds[1 + m] for m in subset}
            factors = combine_factors(sim.election, tally, sim.trustees, chosen)
            assert compute_result(tally, factors, total) == EXPECTED, subset


@pytest.mark.parametrize(("members", "threshold"), SHAPES)
def test_fewer_than_threshold_cannot_decrypt(members, threshold):
    sim, tally, _, pds = decrypted_election(members, threshold)
    for size in range(threshold):
        for subset in itertools.combinations(range(1, members + 1), size):
            chosen = {1: pds[1]} | {1 + m: pds[1 + m] for m in subset}
            with pytest.raises(CombinationError, match="not enough partial decryptions"):
                combine_factors(sim.election, tally, sim.trustees, chosen)
    # and the members without the president cannot either
    members_only = {1 + m: pds[1 + m] for m in range(1, members + 1)}
    with pytest.raises(CombinationError, match="missing partial decryption of trustee 1"):
        combine_factors(sim.election, tally, sim.trustees, members_only)


@pytest.mark.parametrize(("members", "threshold"), SHAPES)
def test_shares_interpolate_to_the_group_key(members, threshold):
    """Σ λ_j·s_j over any t members is the group's secret: g to it is Π_i A_i0."""
    sim, *_ = decrypted_election(members, threshold)
    group_key = GROUP.product([raw_coefexps(c)[0] for c in sim.group.params.coefexps])
    shares = {m: sim.group.share(m) for m in range(1, members + 1)}
    for subset in itertools.combinations(range(1, members + 1), threshold):
        secret = sum(lagrange(subset, j) * shares[j] for j in subset) % Q
        assert GROUP.mul_base(secret) == group_key
    if threshold > 1:
        subset = tuple(range(1, threshold))
        secret = sum(lagrange(subset, j) * shares[j] for j in subset) % Q
        assert GROUP.mul_base(secret) != group_key


@st.composite
def polynomial_and_points(draw):
    t = draw(st.integers(1, 6))
    coefficients = draw(st.lists(st.integers(0, Q - 1), min_size=t, max_size=t))
    indexes = draw(st.lists(st.integers(1, 50), min_size=t, max_size=t, unique=True))
    return coefficients, indexes


def evaluate(coefficients: list[int], x: int) -> int:
    return sum(a * pow(x, k, Q) for k, a in enumerate(coefficients)) % Q


@SETTINGS
@given(polynomial_and_points())
def test_lagrange_interpolation_at_zero(data):
    coefficients, indexes = data
    value = sum(lagrange(indexes, j) * evaluate(coefficients, j) for j in indexes) % Q
    assert value == coefficients[0]


@SETTINGS
@given(polynomial_and_points())
def test_lagrange_coefficients_sum_to_one(data):
    _, indexes = data
    assert sum(lagrange(indexes, j) for j in indexes) % Q == 1


@SETTINGS
@given(bound=st.integers(0, 3000), data=st.data())
def test_discrete_log_up_to_the_bound(bound, data):
    dlog = DiscreteLog(bound)
    k = data.draw(st.integers(0, bound))
    assert dlog.log(GROUP.mul_base(k)) == k
    above = data.draw(st.integers(bound + 1, bound + 5000))
    assert dlog.log(GROUP.mul_base(above)) is None
    assert dlog.log(GROUP.mul_base(Q - 1 - data.draw(st.integers(0, bound)))) is None


def test_discrete_log_edges():
    for bound in (0, 1, 2, 3, 15, 16, 17, 99, 100):
        dlog = DiscreteLog(bound)
        assert [dlog.log(GROUP.mul_base(k)) for k in range(bound + 1)] == list(range(bound + 1))
        assert dlog.log(GROUP.mul_base(bound + 1)) is None
