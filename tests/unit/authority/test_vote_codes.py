"""Vote codes (urne.authority.codes): check character, one-to-one mapping, normalisation,
and the vectors shared with the browser twin (frontend/test/votecode_vectors.json)."""

import json
import random
from pathlib import Path

import pytest

from urne.authority import codes
from urne.crypto.credentials import normalise_credential, public_credential
from urne.crypto.group import GROUP

VECTORS = json.loads(
    (Path(__file__).parents[3] / "frontend" / "test" / "votecode_vectors.json").read_text()
)
RNG = random.Random(5)
SAMPLE = [codes.code_from_value(RNG.randrange(codes.MAX_VALUE)) for _ in range(40)]


def compact(code: str) -> str:
    return code.replace("-", "")


def test_alphabet_has_no_lookalikes_and_a_prime_size():
    assert len(codes.ALPHABET) == 31
    assert all(p % 31 for p in range(2, 31))
    assert not set(codes.ALPHABET) & set(codes.LOOKALIKES)
    assert len(set(codes.ALPHABET)) == 31


def test_printed_form_is_five_groups_of_five():
    code = SAMPLE[0]
    assert [len(g) for g in code.split("-")] == [5, 5, 5, 5, 5]
    assert codes.normalise(code) == code


@pytest.mark.parametrize("code", SAMPLE[:10])
def test_every_single_substitution_is_caught(code):
    c = compact(code)
    for i in range(len(c)):
        for other in codes.ALPHABET:
            if other == c[i]:
                continue
            typo = c[:i] + other + c[i + 1 :]
            with pytest.raises(codes.VoteCodeError) as exc:
                codes.normalise(typo)
            assert exc.value.reason == "check"


@pytest.mark.parametrize("code", SAMPLE)
def test_every_adjacent_transposition_is_caught(code):
    c = compact(code)
    for i in range(len(c) - 1):
        if c[i] == c[i + 1]:
            continue
        typo = c[:i] + c[i + 1] + c[i] + c[i + 2 :]
        with pytest.raises(codes.VoteCodeError) as exc:
            codes.normalise(typo)
        assert exc.value.reason == "check"


def test_every_substitution_is_caught_exhaustively_on_weights():
    # The argument behind the check: weights 1..25 are non-zero mod 31 and neighbours differ
    # by 1, so w·d and (w_i − w_{i+1})·d are non-zero mod 31 for every difference d ≠ 0.
    for w in range(1, codes.CODE_LENGTH + 1):
        for d in range(1, 31):
            assert (w * d) % 31 != 0
            assert (-d) % 31 != 0


def test_mapping_round_trips_both_ways():
    for value in [0, 1, 58, codes.MAX_VALUE - 1] + [
        RNG.randrange(codes.MAX_VALUE) for _ in range(200)
    ]:
        code = codes.code_from_value(value)
        cred = codes.credential_of_code(code)
        assert normalise_credential(cred) == cred  # a valid Belenios 3.0 credential
        assert codes.code_of_credential(cred) == code
        assert codes.value_of_code(code) == value


def test_mapping_is_one_to_one_and_order_preserving():
    values = sorted({RNG.randrange(codes.MAX_VALUE) for _ in range(500)})
    creds = [codes.credential_from_value(v).replace("-", "") for v in values]
    assert len(set(creds)) == len(values)
    # Fixed-width base58 with Belenios's (sorted) alphabet: order preserved, hence injective.
    assert creds == sorted(creds)
    assert 31**24 < 58**22


def test_credentials_above_the_code_range_are_not_codes():
    top = codes.credential_from_value(codes.MAX_VALUE - 1)
    assert codes.code_of_credential(top)
    with pytest.raises(ValueError, match="not the image"):
        codes.code_of_credential("zzzzz-zzzzzz-zzzzz-zzzzzz")
    with pytest.raises(ValueError):
        codes.code_of_credential("not a credential")


def test_value_range_enforced():
    with pytest.raises(ValueError):
        codes.code_from_value(-1)
    with pytest.raises(ValueError):
        codes.code_from_value(codes.MAX_VALUE)
    with pytest.raises(ValueError):
        codes.credential_from_value(codes.MAX_VALUE)


def test_normalisation_accepts_untidy_typing():
    code = SAMPLE[3]
    c = compact(code)
    for typed in [c, c.lower(), f" {code} ", code.replace("-", " "), code.replace("-", "\u2013")]:
        assert codes.normalise(typed) == code


def test_normalisation_names_the_problem():
    c = compact(SAMPLE[4])
    with pytest.raises(codes.VoteCodeError) as exc:
        codes.normalise(c[:-2])
    assert (exc.value.reason, exc.value.count) == ("length", 23)
    with pytest.raises(codes.VoteCodeError) as exc:
        codes.normalise("0" + c[1:] + "I")
    assert (exc.value.reason, exc.value.chars) == ("characters", "0I")


def test_derivation_is_keyed_and_deterministic():
    a = codes.derive_code(b"k1", salt="s", voter_id=7, index=0)
    assert a == codes.derive_code(b"k1", salt="s", voter_id=7, index=0)
    others = {
        codes.derive_code(b"k2", salt="s", voter_id=7, index=0),
        codes.derive_code(b"k1", salt="t", voter_id=7, index=0),
        codes.derive_code(b"k1", salt="s", voter_id=8, index=0),
        codes.derive_code(b"k1", salt="s", voter_id=7, index=1),
    }
    assert a not in others and len(others) == 4
    assert codes.normalise(a) == a


def test_shared_vectors():
    assert VECTORS["alphabet"] == codes.ALPHABET
    for case in VECTORS["mapping"]:
        assert codes.code_from_value(int(case["value"])) == case["code"]
        assert codes.credential_of_code(case["code"]) == case["credential"]
        assert codes.code_of_credential(case["credential"]) == case["code"]
        pub = public_credential(VECTORS["uuid"], case["credential"])
        assert GROUP.element_to_string(pub) == case["public_credential"]
    for case in VECTORS["normalise"]:
        assert codes.normalise(case["typed"]) == case["code"]
    for case in VECTORS["refused"]:
        with pytest.raises(codes.VoteCodeError) as exc:
            codes.normalise(case["typed"])
        assert exc.value.reason == case["reason"]
