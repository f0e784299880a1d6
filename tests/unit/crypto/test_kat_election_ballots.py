"""Election parameters, credentials and ballots against the belenios-tool 3.0 vectors
(docs/protocol.md §3, §4, §5, §12 "2.4")."""

from __future__ import annotations

import json

import pytest
from crypto_vectors import read_text

from urne.crypto.ballot import BallotError, parse_ballot, verify_ballot_string
from urne.crypto.credentials import (
    CredentialError,
    derive_secret,
    normalise_credential,
    parse_public_credentials,
    public_credential,
)
from urne.crypto.election import BASE58_ALPHABET, parse_election
from urne.crypto.encoding import FormatError, dumps, sha256_b64, sha256_hex
from urne.crypto.group import GROUP


def private_credentials(vectors) -> dict[str, str]:
    return json.loads(read_text(vectors.root / "credentials" / "private_creds.json"))


def published_credentials(vectors) -> dict[str, str]:
    """login → public credential, from the tool's ``public_creds.json`` (``cred,weight,login``)."""
    entries = json.loads(read_text(vectors.root / "setup" / "public_creds.json"))
    out = {}
    for entry in entries:
        cred, weight, login = entry.split(",")
        assert weight == ""
        out[login] = cred
    return out


# -- election -----------------------------------------------------------------------------------


def test_fingerprint_is_the_election_hash_of_the_ballots(vectors):
    election = vectors.election
    assert election.uuid == vectors.uuid
    assert len(vectors.ballots) == 30
    for ballot in vectors.ballots:
        assert ballot.election_hash == election.fingerprint
        assert ballot.election_uuid == election.uuid
    assert election.fingerprint == sha256_b64(election.raw)


def test_the_final_newline_is_not_part_of_the_election(vectors):
    with_newline = (vectors.root / "setup" / "election.json").read_text()
    assert with_newline.endswith("}\n")
    assert parse_election(with_newline).fingerprint != vectors.election.fingerprint


def test_election_re_serialises_byte_for_byte(vectors):
    election = vectors.election
    assert dumps(election.to_json()) == election.raw
    q = election.questions[0]
    assert (q.blank, q.min, q.max, len(q.answers), q.size) == (True, 1, 1, 9, 10)
    assert election.name == "Élection CSE 2026 – collège unique (test)"


def test_parse_election_refuses_other_groups_and_versions(vectors):
    obj = json.loads(vectors.election.raw)
    for key, value in (("group", "BELENIOS-2048"), ("version", 2), ("uuid", "short")):
        bad = dict(obj, **{key: value})
        with pytest.raises(FormatError):
            parse_election(dumps(bad))


# -- credentials ----------------------------------------------------------------------------------


def test_every_private_credential_derives_its_public_credential(vectors):
    privates = private_credentials(vectors)
    published = published_credentials(vectors)
    assert len(privates) == len(published) == 30
    for login, cred in privates.items():
        assert GROUP.element_to_string(public_credential(vectors.uuid, cred)) == published[login]


def test_archived_public_credentials_list_is_sorted_and_parses(vectors):
    entries = json.loads(read_text(vectors.root / "setup" / "public_creds.json"))
    archived = [e.split(",")[0] for e in entries]
    creds = parse_public_credentials(archived)
    assert creds.total_weight == 30
    assert creds.to_json() == sorted(archived, key=lambda s: bytes.fromhex(s)[::-1])


def test_normalise_credential_accepts_spaces_and_missing_dashes(vectors):
    cred = private_credentials(vectors)["voter001"]
    assert cred == "EmzKn-9NYMfx-U9gC1-QBhUac"
    compact = cred.replace("-", "")
    assert normalise_credential(cred) == cred
    assert normalise_credential(compact) == cred
    assert normalise_credential(" EmzKn 9NYMfx U9gC1 QBhUac ") == cred
    assert normalise_credential("EmzK n9NY-Mfx U9gC1QBh-Uac") == cred
    assert normalise_credential(cred.replace("-", " - ")) == cred
    # the same public credential, whatever the typing
    expected = public_credential(vectors.uuid, cred)
    assert public_credential(vectors.uuid, compact) == expected
    assert public_credential(vectors.uuid, " " + cred.replace("-", " ")) == expected


def test_normalise_credential_keeps_the_case_as_typed(vectors):
    cred = "EmzKn-9NYMfx-U9gC1-QBhUac"
    swapped = cred.swapcase()  # eMZkN-9nymFX-u9Gc1-qbHuAC: every letter valid in base58
    assert all(ch in BASE58_ALPHABET for ch in swapped.replace("-", ""))
    assert normalise_credential(swapped) == swapped
    assert public_credential(vectors.uuid, swapped) != public_credential(vectors.uuid, cred)
    assert derive_secret(vectors.uuid, swapped) != derive_secret(vectors.uuid, cred)


@pytest.mark.parametrize(
    "typed",
    [
        "EmzKn-9NYMfx-U9gC1-QBhUa0",  # 0 is not base58
        "EmzKn-9NYMfx-U9gC1-QBhUaO",  # O
        "EmzKn-9NYMfx-U9gC1-QBhUaI",  # I
        "EmzKn-9NYMfx-U9gC1-QBhUal",  # l
        "EmzKn-9NYMfx-U9gC1-QBhUa!",
        "EmzKn-9NYMfx-U9gC1-QBhUacé",
        "EmzKn-9NYMfx-U9gC1-QBhUa",  # 21 characters
        "EmzKn-9NYMfx-U9gC1-QBhUacc",  # 23 characters
        "",
        "-----",
    ],
)
def test_normalise_credential_refuses(typed):
    with pytest.raises(CredentialError):
        normalise_credential(typed)


def test_credential_error_names_the_bad_characters():
    with pytest.raises(CredentialError, match="0"):
        normalise_credential("EmzKn-9NYMfx-U9gC1-QBhUa0")
    with pytest.raises(CredentialError, match="22 characters, 21"):
        normalise_credential("EmzKn-9NYMfx-U9gC1-QBhUa")


# -- ballots --------------------------------------------------------------------------------------


def test_every_vector_ballot_verifies(vectors):
    for raw in vectors.ballot_texts:
        ballot = verify_ballot_string(vectors.election, raw)
        assert ballot.to_string() == raw


def test_trackers_and_record_names(vectors):
    rows = vectors.trackers()
    assert len(rows) == len(vectors.ballot_texts) == 30
    for (seq, _voter, _plain, tracker, record), raw, ballot in zip(
        rows, vectors.ballot_texts, vectors.ballots, strict=True
    ):
        assert ballot.tracker == tracker, seq
        assert sha256_b64(raw) == tracker
        assert sha256_hex(raw) == record


def test_ballot_credentials_are_the_voters(vectors):
    privates = private_credentials(vectors)
    for (_seq, voter, _plain, _t, _r), ballot in zip(
        vectors.trackers(), vectors.ballots, strict=True
    ):
        assert ballot.credential == public_credential(vectors.uuid, privates[voter])


def test_a_ballot_with_its_file_newline_is_not_canonical(vectors):
    raw = (vectors.root / "ballots" / "001.json").read_text()
    assert raw.endswith("\n")
    with pytest.raises(BallotError, match="canonical"):
        parse_ballot(raw)


def test_a_reordered_ballot_is_not_canonical(vectors):
    obj = json.loads(vectors.ballot_texts[0])
    reordered = {k: obj[k] for k in reversed(list(obj))}
    with pytest.raises(BallotError, match="canonical"):
        verify_ballot_string(vectors.election, dumps(reordered))


def test_a_vector_ballot_against_another_election_fails(vectors):
    obj = json.loads(vectors.election.raw)
    other = parse_election(dumps(dict(obj, name=obj["name"] + " bis")))
    with pytest.raises(BallotError, match="election hash"):
        verify_ballot_string(other, vectors.ballot_texts[0])
