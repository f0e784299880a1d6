"""Trustees, key shares, encrypted tally, partial decryptions and result against the
belenios-tool 3.0 vectors (docs/protocol.md §6, §7, §8)."""

from __future__ import annotations

import json

import pytest
from crypto_vectors import read_text

from urne.crypto.ballot import Ballot
from urne.crypto.encoding import dumps
from urne.crypto.group import GROUP, Q
from urne.crypto.tally import (
    CombinationError,
    check_partial_decryption,
    combine_factors,
    compute_encrypted_tally,
    compute_partial_decryption,
    compute_result,
    owned_json,
    parse_result,
    result_to_json,
    sized_tally_json,
    tally_of_json,
    tally_text,
)
from urne.crypto.threshold import (
    check_pedersen,
    decrypt_key_share,
)
from urne.crypto.trustees import (
    ThresholdParameters,
    TrusteePublicKey,
    check_single,
    count_trustee_ids,
    single_key_id,
    trustees_to_json,
)

EXPECTED_RESULT = [[6, 7, 5, 4, 3, 3, 1, 1, 0, 0]]


def president(vectors) -> TrusteePublicKey:
    single = vectors.trustees[0]
    assert isinstance(single, TrusteePublicKey)
    return single


def pedersen(vectors) -> ThresholdParameters:
    group = vectors.trustees[1]
    assert isinstance(group, ThresholdParameters)
    return group


def trustee_key(vectors, trustee_id: int):
    """Public key of trustee ``trustee_id``: 1 = the president, 2..4 = members 1..3."""
    if trustee_id == 1:
        return president(vectors).public_key
    return pedersen(vectors).verification_keys[trustee_id - 2].public_key


def last_ballots(ballots: list[Ballot]) -> list[tuple[Ballot, int]]:
    last: dict[bytes, Ballot] = {}
    for b in ballots:
        last.pop(b.credential, None)
        last[b.credential] = b
    return [(b, 1) for b in last.values()]


def vector_tally(vectors):
    return tally_of_json(json.loads(vectors.tally_text))


# -- trustees -----------------------------------------------------------------------------------


def test_trustees_json_shape_and_round_trip(vectors):
    assert [type(t).__name__ for t in vectors.trustees] == [
        "TrusteePublicKey",
        "ThresholdParameters",
    ]
    assert dumps(trustees_to_json(vectors.trustees)) == vectors.trustees_text
    assert count_trustee_ids(vectors.trustees) == 4
    assert pedersen(vectors).threshold == 2


def test_single_trustee_checks(vectors):
    single = president(vectors)
    assert check_single(single)
    assert single_key_id(single) == "664D97FA"
    pubkey = read_text(vectors.root / "trustees" / "single-1" / "664D97FA.pubkey")
    assert dumps(single.to_json()) == pubkey
    private = int(
        json.loads(read_text(vectors.root / "trustees" / "single-1" / "664D97FA.privkey"))
    )
    assert GROUP.mul_base(private) == single.public_key


def test_single_trustee_with_altered_proof_fails(vectors):
    single = president(vectors)
    bad = TrusteePublicKey(
        single.public_key, type(single.pok)(single.pok.challenge, (single.pok.response + 1) % Q)
    )
    assert not check_single(bad)


def test_pedersen_checks(vectors):
    group = pedersen(vectors)
    assert check_pedersen(group) == []
    for vk in group.verification_keys:
        assert check_single(vk)


def test_pedersen_with_swapped_verification_keys_fails(vectors):
    group = pedersen(vectors)
    vks = group.verification_keys
    swapped = ThresholdParameters(
        group.threshold, group.certs, group.coefexps, group.signatures, (vks[1], vks[0], vks[2])
    )
    assert any("does not match the coefexps" in f for f in check_pedersen(swapped))


def test_pedersen_with_another_threshold_fails(vectors):
    group = pedersen(vectors)
    # threshold 1 is a valid context for 3 members, but the certificates say 2
    wrong = ThresholdParameters(
        1, group.certs, group.coefexps, group.signatures, group.verification_keys
    )
    failures = check_pedersen(wrong)
    assert "certificate 1 signature or context" in failures


@pytest.mark.parametrize("threshold", [0, 3, 7, -1])
def test_pedersen_with_an_impossible_threshold_reports_it(vectors, threshold):
    group = pedersen(vectors)
    wrong = ThresholdParameters(
        threshold, group.certs, group.coefexps, group.signatures, group.verification_keys
    )
    failures = check_pedersen(wrong)
    assert failures and "impossible" in failures[0]


# -- tally ----------------------------------------------------------------------------------------


def test_encrypted_tally_recomputed_byte_for_byte(vectors):
    tally, count, total = compute_encrypted_tally(vectors.election, last_ballots(vectors.ballots))
    text = tally_text(tally)
    assert text == vectors.tally_text
    assert (count, total) == (30, 30)
    assert dumps(sized_tally_json(text, count, total)) == vectors.sized_text
    out = read_text(vectors.root / "tally" / "compute-encrypted-tally.out")
    assert out == f"{vectors.tally_text}\n{vectors.sized_text}"


def test_vector_partial_decryptions_pass(vectors):
    tally = vector_tally(vectors)
    for trustee_id in (1, 2, 4):
        text, pd = vectors.partial_decryption(trustee_id)
        assert dumps(pd.to_json()) == text
        assert (
            check_partial_decryption(vectors.election, tally, trustee_key(vectors, trustee_id), pd)
            is None
        )
        owned = read_text(vectors.root / "tally" / f"owned.trustee-{trustee_id}.json")
        assert dumps(owned_json(trustee_id, text)) == owned


def test_a_partial_decryption_checked_against_another_trustee_fails(vectors):
    tally = vector_tally(vectors)
    _, pd = vectors.partial_decryption(2)
    failure = check_partial_decryption(vectors.election, tally, trustee_key(vectors, 3), pd)
    assert failure == "decryption proof of question 1 slot 1"


def test_combination_and_result(vectors):
    tally = vector_tally(vectors)
    decryptions = {k: vectors.partial_decryption(k)[1] for k in (1, 2, 4)}
    factors = combine_factors(vectors.election, tally, vectors.trustees, decryptions)
    result = compute_result(tally, factors, 30)
    assert result == EXPECTED_RESULT
    assert dumps(result_to_json(result)) == vectors.result_text
    assert parse_result(json.loads(vectors.result_text)) == EXPECTED_RESULT
    assert read_text(vectors.root / "expected_result.json") == vectors.result_text


def test_our_decryption_with_member_2_combines_with_the_tools(vectors):
    """Member 2 (trustee 3) did not decrypt in the vectors: our factors from its share
    combine with the president's and member 1's or member 3's."""
    tally = vector_tally(vectors)
    tdir = vectors.root / "trustees" / "threshold"
    member_id = read_text(tdir / "member-2.id").strip()
    share = decrypt_key_share(
        read_text(tdir / f"{member_id}.key").strip(), read_text(tdir / f"{member_id}.dkey")
    )
    ours = compute_partial_decryption(vectors.election, tally, share)
    assert check_partial_decryption(vectors.election, tally, trustee_key(vectors, 3), ours) is None
    for other in (2, 4):
        decryptions = {
            1: vectors.partial_decryption(1)[1],
            other: vectors.partial_decryption(other)[1],
            3: ours,
        }
        factors = combine_factors(vectors.election, tally, vectors.trustees, decryptions)
        assert compute_result(tally, factors, 30) == EXPECTED_RESULT


def test_combination_needs_the_single_trustee_and_the_threshold(vectors):
    tally = vector_tally(vectors)
    pds = {k: vectors.partial_decryption(k)[1] for k in (1, 2, 4)}
    with pytest.raises(CombinationError, match="missing partial decryption of trustee 1"):
        combine_factors(vectors.election, tally, vectors.trustees, {2: pds[2], 4: pds[4]})
    with pytest.raises(CombinationError, match="not enough partial decryptions"):
        combine_factors(vectors.election, tally, vectors.trustees, {1: pds[1], 4: pds[4]})
    with pytest.raises(CombinationError, match="trustee 3"):
        combine_factors(
            vectors.election, tally, vectors.trustees, {1: pds[1], 2: pds[2], 3: pds[4]}
        )
