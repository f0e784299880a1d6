"""Vote codes: what the voter types, mapped one-to-one onto a Belenios 3.0 credential.

Pure (no Django, no I/O); ``frontend/src/votecode/`` is its byte-identical twin in the
browser, and ``frontend/test/votecode_vectors.json`` checks both (ADR 0300).

A vote code is 25 characters of a 31-character alphabet without look-alikes (no 0/O, 1/I/L),
printed in five groups of five: ``XXXXX-XXXXX-XXXXX-XXXXX-XXXXX``. The first 24 characters
are a number v < 31**24 (≈ 2**118.9) in base 31, most significant first; the 25th is a check
character making ``sum((i + 1) * value(c_i)) ≡ 0 (mod 31)`` over the 25 characters. As 31 is
prime and the weights 1..25 are non-zero and distinct by one from their neighbours, every
single-character substitution and every transposition of two adjacent characters changes the
sum, so it is caught before any derivation.

The Belenios credential is v written in base58 (Belenios's alphabet) on 22 digits, dashed
5-6-5-6 (``urne.crypto.credentials.format_credential``); 31**24 < 58**22 so the map is
injective, and a credential maps back to a code exactly when its value is below 31**24.
"""

from __future__ import annotations

import hashlib
import hmac

from urne.crypto.election import BASE58_ALPHABET

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
P = len(ALPHABET)  # 31, prime
DATA_LENGTH = 24
CODE_LENGTH = DATA_LENGTH + 1
GROUP_SIZE = 5
CREDENTIAL_LENGTH = 22
CREDENTIAL_GROUPS = (5, 6, 5, 6)
MAX_VALUE = P**DATA_LENGTH  # exclusive
# Characters a person may type between groups (or paste around the code); ignored anywhere.
# An explicit list, not str.strip()/String.trim(), so that Python and JS agree on every input.
SEPARATORS = (
    " -_.\t\n\r\v\f\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u200b\u202f\u3000\ufeff\u2010\u2011\u2012\u2013\u2014\u2212"
)
# Never printed (look-alikes of printed characters).
LOOKALIKES = "01ILO"

_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_B58 = {c: i for i, c in enumerate(BASE58_ALPHABET)}
_SEP = str.maketrans("", "", SEPARATORS)
# Only ASCII letters are upper-cased (str.upper would turn "ſ" into "S", unlike a plain map).
_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


class VoteCodeError(ValueError):
    """What was typed is not a vote code. ``reason`` is a stable key the pages translate:
    ``length`` (with ``count``), ``characters`` (with ``chars``), ``check``."""

    def __init__(self, reason: str, message: str, *, count: int = 0, chars: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.count = count
        self.chars = chars


def _weighted_sum(chars: str) -> int:
    return sum((i + 1) * _VALUE[c] for i, c in enumerate(chars)) % P


def check_character(data: str) -> str:
    """The check character completing 24 data characters (weight 25, sum ≡ 0 mod 31)."""
    s = _weighted_sum(data)
    inverse = pow(CODE_LENGTH, -1, P)
    return ALPHABET[(-s * inverse) % P]


def group(compact: str) -> str:
    """``XXXXX-XXXXX-XXXXX-XXXXX-XXXXX``: the printed form."""
    return "-".join(compact[i : i + GROUP_SIZE] for i in range(0, len(compact), GROUP_SIZE))


def code_from_value(value: int) -> str:
    """The printed vote code of a number 0 ≤ value < 31**24."""
    if not 0 <= value < MAX_VALUE:
        raise ValueError("vote code value out of range")
    digits = []
    for _ in range(DATA_LENGTH):
        value, r = divmod(value, P)
        digits.append(ALPHABET[r])
    data = "".join(reversed(digits))
    return group(data + check_character(data))


def normalise(typed: str) -> str:
    """What a person typed → the printed form, or ``VoteCodeError``.

    ASCII lower case is accepted; spaces, dashes and similar separators are ignored. Characters
    outside the alphabet, a wrong length and a failed check character are refused, in that
    order, with a reason the pages translate.
    """
    compact = typed.translate(_SEP).translate(_UPPER)
    bad = "".join(sorted({c for c in compact if c not in _VALUE}))
    if bad:
        raise VoteCodeError(
            "characters", f"characters not used in vote codes: {' '.join(bad)}", chars=bad
        )
    if len(compact) != CODE_LENGTH:
        raise VoteCodeError(
            "length",
            f"a vote code has {CODE_LENGTH} characters, {len(compact)} were given",
            count=len(compact),
        )
    if _weighted_sum(compact) != 0:
        raise VoteCodeError("check", "the check character does not match: a typo")
    return group(compact)


def value_of_code(code: str) -> int:
    """The number a (possibly untidy) vote code stands for."""
    compact = normalise(code).replace("-", "")
    value = 0
    for c in compact[:DATA_LENGTH]:
        value = value * P + _VALUE[c]
    return value


def credential_from_value(value: int) -> str:
    """The dashed Belenios credential (5-6-5-6 base58) of a vote code number."""
    if not 0 <= value < MAX_VALUE:
        raise ValueError("vote code value out of range")
    digits = []
    for _ in range(CREDENTIAL_LENGTH):
        value, r = divmod(value, 58)
        digits.append(BASE58_ALPHABET[r])
    raw = "".join(reversed(digits))
    parts, start = [], 0
    for size in CREDENTIAL_GROUPS:
        parts.append(raw[start : start + size])
        start += size
    return "-".join(parts)


def credential_of_code(code: str) -> str:
    """Vote code (as typed) → the Belenios credential string the derivation hashes."""
    return credential_from_value(value_of_code(code))


def code_of_credential(credential: str) -> str:
    """Inverse of ``credential_of_code``; ValueError for a credential that is no vote code."""
    raw = credential.replace("-", "")
    if len(raw) != CREDENTIAL_LENGTH or any(c not in _B58 for c in raw):
        raise ValueError("not a Belenios credential")
    value = 0
    for c in raw:
        value = value * 58 + _B58[c]
    if value >= MAX_VALUE:
        raise ValueError("this credential is not the image of a vote code")
    return code_from_value(value)


def derive_code(key: bytes, *, salt: str, voter_id: int, index: int) -> str:
    """The vote code number ``index`` (0 = first, 1..R = spares) of a voter, from the
    authority's secret key: HMAC-SHA256(key, ``urne-vote-code|salt|voter_id|index``) reduced
    mod 31**24 (bias < 2**-137). Nothing needs storing: the authority recomputes it."""
    message = f"urne-vote-code|{salt}|{voter_id}|{index}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return code_from_value(int.from_bytes(digest, "big") % MAX_VALUE)
