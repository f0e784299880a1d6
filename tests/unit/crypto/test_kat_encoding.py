"""Canonical JSON and hashes as belenios-tool writes them (docs/protocol.md §1)."""

from __future__ import annotations

import base64
import hashlib

import pytest

from urne.crypto.encoding import FormatError, dumps, loads, sha256_b64, sha256_hex


def test_u007f_is_escaped_like_yojson():
    assert dumps("a\x7fb") == '"a\\u007fb"'


def test_non_ascii_is_written_raw():
    assert dumps("Élection – vote ✓ 🗳") == '"Élection – vote ✓ 🗳"'


def test_slash_and_html_characters_are_raw():
    assert dumps("a/b<&>") == '"a/b<&>"'


def test_control_characters_quote_and_backslash_are_escaped():
    assert dumps('\x01\n"\\') == '"\\u0001\\n\\"\\\\"'


def test_compact_and_in_insertion_order():
    assert dumps({"b": [1, 2], "a": {"c": True}}) == '{"b":[1,2],"a":{"c":true}}'


def test_loads_refuses_nan_and_bad_json():
    for text in ("NaN", "[Infinity]", "{", "[1,]"):
        with pytest.raises(FormatError):
            loads(text)


def test_hashes():
    digest = hashlib.sha256(b"abc").digest()
    assert sha256_hex("abc") == digest.hex()
    assert sha256_b64("abc") == base64.b64encode(digest).decode().rstrip("=")
    assert len(sha256_b64("abc")) == 43
    assert sha256_b64("é") == sha256_b64("é".encode())


def test_vector_files_are_canonical(vectors):
    """Every JSON object of the vectors re-serialises to the same bytes."""
    texts = [
        vectors.election.raw,
        vectors.trustees_text,
        vectors.tally_text,
        vectors.sized_text,
        vectors.result_text,
        *vectors.ballot_texts,
    ]
    for text in texts:
        assert dumps(loads(text)) == text
