"""Properties of ballots (docs/protocol.md §5): every valid choice gives a ballot that verifies and
encrypts that choice; no invalid choice gives an accepted ballot, even when the plaintext
check is bypassed and proofs are built for the false statement."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import urne.crypto.ballot as ballot_module
from urne.crypto.ballot import (
    BallotError,
    check_ballot,
    create_ballot,
    parse_ballot,
    verify_ballot_string,
)
from urne.crypto.election import Election, HomomorphicQuestion, make_election
from urne.crypto.group import GROUP, Q

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
UUID = "8pYrBd1kZLt7Xq"


def question(n: int, lo: int, hi: int, blank: bool) -> HomomorphicQuestion:
    return HomomorphicQuestion("Q ?", tuple(f"réponse {i}" for i in range(n)), lo, hi, blank)


@st.composite
def questions(draw, min_answers: int = 1) -> HomomorphicQuestion:
    n = draw(st.integers(min_answers, 5))
    lo = draw(st.integers(0, n))
    hi = draw(st.integers(lo, n))
    return question(n, lo, hi, draw(st.booleans()))


@st.composite
def valid_choice(draw, q: HomomorphicQuestion) -> list[int]:
    n = len(q.answers)
    if q.blank and draw(st.booleans()):
        return [1] + [0] * n
    k = draw(st.integers(q.min, q.max))
    chosen = set(draw(st.permutations(range(n)))[:k])
    return ([0] if q.blank else []) + [1 if i in chosen else 0 for i in range(n)]


def election_of(qs: Sequence[HomomorphicQuestion], x: int) -> Election:
    return make_election(
        uuid=UUID, name="Propriétés", description="", public_key=GROUP.mul_base(x), questions=qs
    )


def scalars(rnd: random.Random):
    return lambda: rnd.randrange(Q)


def decrypt(x: int, alpha, beta) -> int:
    m = GROUP.div(beta, GROUP.mul(alpha, x))
    for k in range(8):
        if GROUP.mul_base(k) == m:
            return k
    raise AssertionError("not a small plaintext")


@st.composite
def elections_and_choices(draw):
    qs = draw(st.lists(questions(), min_size=1, max_size=2))
    choices = [draw(valid_choice(q)) for q in qs]
    return qs, choices


@SETTINGS
@given(
    data=elections_and_choices(),
    x=st.integers(1, Q - 1),
    secret=st.integers(0, Q - 1),
    rnd=st.randoms(use_true_random=False),
)
def test_a_valid_choice_gives_a_ballot_that_verifies(data, x, secret, rnd):
    qs, choices = data
    election = election_of(qs, x)
    ballot = create_ballot(election, secret, choices, scalars(rnd))
    raw = ballot.to_string()
    checked = verify_ballot_string(election, raw)
    assert checked == ballot
    assert parse_ballot(raw).to_string() == raw
    assert ballot.credential == GROUP.mul_base(secret)
    for q, a, plain in zip(qs, ballot.answers, choices, strict=True):
        assert (a.blank_proof is not None) == q.blank
        assert len(a.overall_proof) == q.max - q.min + 1 + (1 if q.blank else 0)
        assert [decrypt(x, c.alpha, c.beta) for c in a.choices] == plain


# -- invalid choices -------------------------------------------------------------------------------


@st.composite
def invalid_cases(draw):
    """(question, invalid plaintext, kind) for the kinds of invalid choice."""
    kind = draw(
        st.sampled_from(["two lists, max 1", "a value 2", "empty, min 1", "blank and a list"])
    )
    n = draw(st.integers(2, 5))
    if kind == "two lists, max 1":
        q = question(n, draw(st.integers(0, 1)), 1, draw(st.booleans()))
        a, b = draw(st.permutations(range(n)))[:2]
        rest = [1 if i in (a, b) else 0 for i in range(n)]
        return q, ([0] if q.blank else []) + rest, kind
    if kind == "a value 2":
        lo = draw(st.integers(0, n))
        q = question(n, lo, draw(st.integers(max(lo, 1), n)), draw(st.booleans()))
        plain = draw(valid_choice(q))
        plain[draw(st.integers(0, len(plain) - 1))] = 2
        return q, plain, kind
    if kind == "empty, min 1":
        q = question(n, 1, draw(st.integers(1, n)), False)
        return q, [0] * n, kind
    q = question(n, draw(st.integers(0, 1)), draw(st.integers(1, n)), True)
    plain = [1] + [0] * n
    plain[1 + draw(st.integers(0, n - 1))] = 1
    return q, plain, kind


def clamped(original):
    """``prove_disjunction`` that proves the closest disjunct when the true one does not
    exist: a forger's proof of a false statement."""

    def prove(public_key, prefix, statements, true_index, r, random):
        index = min(max(true_index, 0), len(statements) - 1)
        return original(public_key, prefix, statements, index, r, random)

    return prove


@SETTINGS
@given(case=invalid_cases(), x=st.integers(1, Q - 1), rnd=st.randoms(use_true_random=False))
def test_an_invalid_choice_cannot_produce_an_accepted_ballot(case, x, rnd):
    q, plain, kind = case
    election = election_of([q], x)
    with pytest.raises(ValueError):
        q.check_plaintext(plain)
    with pytest.raises(ValueError):
        create_ballot(election, 42, [plain], scalars(rnd))
    # bypass the plaintext check and prove the false statement anyway
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(HomomorphicQuestion, "check_plaintext", lambda self, plaintext: None)
        mp.setattr(ballot_module, "prove_disjunction", clamped(ballot_module.prove_disjunction))
        forged = create_ballot(election, 42, [plain], scalars(rnd))
    with pytest.raises(BallotError) as refused:
        check_ballot(election, forged)
    assert refused.value.check.endswith("proof"), (kind, str(refused.value))
    with pytest.raises(BallotError):
        verify_ballot_string(election, forged.to_string())


def test_forging_reaches_each_proof():
    """The forged ballots of each kind are refused by the proof one expects."""
    x, rnd = 7, random.Random(1)
    cases = [
        (question(3, 1, 1, False), [1, 1, 0], "question 1: overall proof"),
        (question(3, 1, 1, True), [0, 1, 1, 0], "question 1: overall proof"),
        (question(3, 1, 2, False), [0, 2, 0], "question 1 choice 2: individual proof"),
        (question(3, 1, 3, False), [0, 0, 0], "question 1: overall proof"),
        (question(3, 1, 1, True), [1, 0, 1, 0], "question 1: blank proof"),
    ]
    for q, plain, expected in cases:
        election = election_of([q], x)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(HomomorphicQuestion, "check_plaintext", lambda self, plaintext: None)
            mp.setattr(ballot_module, "prove_disjunction", clamped(ballot_module.prove_disjunction))
            forged = create_ballot(election, 42, [plain], scalars(rnd))
        with pytest.raises(BallotError) as refused:
            check_ballot(election, forged)
        assert refused.value.check == expected, plain


@SETTINGS
@given(q=questions(), x=st.integers(1, Q - 1), rnd=st.randoms(use_true_random=False))
def test_a_ballot_for_a_question_refuses_another_shape(q, x, rnd):
    """A ballot made for one question shape does not verify against another shape."""
    election = election_of([q], x)
    plain = [1] + [0] * len(q.answers) if q.blank else None
    if plain is None:
        plain = [1] * q.min + [0] * (len(q.answers) - q.min)
    ballot = create_ballot(election, 5, [plain], scalars(rnd))
    other = question(len(q.answers), q.min, q.max, not q.blank)
    with pytest.raises(BallotError):
        check_ballot(election_of([other], x), ballot)
