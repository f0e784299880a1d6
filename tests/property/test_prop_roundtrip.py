"""JSON round trips, byte for byte (docs/protocol.md §1): what we write, we read back and write
again identically — ballots, elections, trustees, partial decryptions, tallies."""

from __future__ import annotations

import functools
import json
import random

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from urne.ceremony import SeededRandom, threshold_ceremony
from urne.crypto.ballot import create_ballot, parse_ballot
from urne.crypto.election import HomomorphicQuestion, make_election, parse_election
from urne.crypto.encoding import dumps, loads
from urne.crypto.group import GROUP, Q
from urne.crypto.primitives import Ciphertext
from urne.crypto.tally import (
    PartialDecryption,
    check_partial_decryption,
    compute_partial_decryption,
    tally_of_json,
    tally_text,
)
from urne.crypto.trustees import (
    TrusteePublicKey,
    check_single,
    parse_trustees,
    prove_key,
    trustees_to_json,
)

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
UUID = "8pYrBd1kZLt7Xq"
TEXT = st.text(st.characters(codec="utf-8"), max_size=30)


@functools.cache
def threshold_group():
    return threshold_ceremony(3, 2, SeededRandom("roundtrip"))


@st.composite
def hq(draw) -> HomomorphicQuestion:
    answers = tuple(draw(st.lists(TEXT, min_size=1, max_size=5)))
    lo = draw(st.integers(0, len(answers)))
    hi = draw(st.integers(lo, len(answers)))
    return HomomorphicQuestion(draw(TEXT), answers, lo, hi, draw(st.booleans()))


@SETTINGS
@given(
    name=TEXT,
    description=TEXT,
    questions=st.lists(hq(), min_size=1, max_size=3),
    administrator=st.none() | TEXT,
    authority=st.none() | TEXT,
    x=st.integers(0, Q - 1),
)
@example(
    name="a\x7fb",
    description='/<&>"\\\n\x00é🗳',
    questions=[HomomorphicQuestion("?", ("\x7f",), 0, 1)],
    administrator=None,
    authority=None,
    x=0,
)
def test_election_round_trip(name, description, questions, administrator, authority, x):
    election = make_election(
        uuid=UUID,
        name=name,
        description=description,
        public_key=GROUP.mul_base(x),
        questions=questions,
        administrator=administrator,
        credential_authority=authority,
    )
    raw = election.raw
    assert "\x7f" not in raw
    again = parse_election(raw)
    assert again == election
    assert dumps(again.to_json()) == raw
    assert again.fingerprint == election.fingerprint
    assert json.loads(raw)["name"] == name


@SETTINGS
@given(
    plain_slot=st.integers(0, 3),
    secret=st.integers(0, Q - 1),
    rnd=st.randoms(use_true_random=False),
)
def test_ballot_round_trip(plain_slot, secret, rnd):
    q = HomomorphicQuestion("Listes ?", ("A", "B", "C"), 1, 1, blank=True)
    election = make_election(
        uuid=UUID, name="n", description="d", public_key=GROUP.mul_base(3), questions=[q]
    )
    plain = [0, 0, 0, 0]
    plain[plain_slot] = 1
    ballot = create_ballot(election, secret, [plain], lambda: rnd.randrange(Q))
    text = ballot.to_string()
    assert parse_ballot(text).to_string() == text
    assert parse_ballot(text) == ballot
    assert dumps(loads(text)) == text


@SETTINGS
@given(
    keys=st.lists(st.integers(1, Q - 1), min_size=0, max_size=3),
    names=st.lists(st.none() | TEXT, min_size=3, max_size=3),
    with_group=st.booleans(),
    seed=st.integers(0, 2**32),
)
def test_trustees_round_trip(keys, names, with_group, seed):
    rnd = random.Random(seed)
    trustees = []
    for k, name in zip(keys, names, strict=False):
        tpk = prove_key(k, lambda: rnd.randrange(Q))
        trustees.append(TrusteePublicKey(tpk.public_key, tpk.pok, None, name))
        assert check_single(trustees[-1])
    if with_group or not trustees:
        trustees.append(threshold_group().params)
    text = dumps(trustees_to_json(trustees))
    parsed = parse_trustees(loads(text))
    assert parsed == trustees
    assert dumps(trustees_to_json(parsed)) == text


@st.composite
def tallies(draw):
    shape = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    scalars = st.integers(0, Q - 1)
    return tuple(
        tuple(
            Ciphertext(GROUP.mul_base(draw(scalars)), GROUP.mul_base(draw(scalars)))
            for _ in range(n)
        )
        for n in shape
    )


@SETTINGS
@given(tally=tallies(), x=st.integers(1, Q - 1), rnd=st.randoms(use_true_random=False))
def test_partial_decryption_and_tally_round_trip(tally, x, rnd):
    election = make_election(
        uuid=UUID,
        name="n",
        description="d",
        public_key=GROUP.mul_base(x),
        questions=[HomomorphicQuestion("q", ("a",) * len(q), 0, len(q)) for q in tally],
    )
    text = tally_text(tally)
    assert tally_of_json(loads(text)) == tally
    pd = compute_partial_decryption(election, tally, x, lambda: rnd.randrange(Q))
    pd_text = dumps(pd.to_json())
    again = PartialDecryption.of_json(loads(pd_text))
    assert again == pd
    assert dumps(again.to_json()) == pd_text
    assert check_partial_decryption(election, tally, GROUP.mul_base(x), again) is None
    assert check_partial_decryption(election, tally, GROUP.mul_base(x + 1), again) is not None
