"""Belenios 3.0 "full" credentials and public credential lists (docs/protocol.md §4, §12 "2.4").

A private credential is 22 base58 characters shown as ``XXXXX-XXXXXX-XXXXX-XXXXXX``. The
derivation hashes that dashed string, so what a person types is normalised to it first.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .election import BASE58_ALPHABET
from .encoding import FormatError, JsonValue, expect_list, expect_str, sha256_hex
from .group import GROUP, Element, GroupError, Q

CREDENTIAL_LENGTH = 22
_GROUPS = (5, 6, 5, 6)
_SEPARATORS = str.maketrans("", "", " -_.\t\n\r\u00a0\u2010\u2011\u2012\u2013\u2014")


class CredentialError(ValueError):
    """What was typed is not a credential (§4, §12 "2.4")."""


def format_credential(raw: str) -> str:
    """Dash 22 base58 characters into the 5-6-5-6 form the derivation hashes (§12)."""
    parts, start = [], 0
    for size in _GROUPS:
        parts.append(raw[start : start + size])
        start += size
    return "-".join(parts)


def generate_credential(choice: Callable[[str], str] = secrets.choice) -> str:
    """A fresh private credential, dashed (``generate_one`` in Belenios 3.0, §12)."""
    return format_credential("".join(choice(BASE58_ALPHABET) for _ in range(CREDENTIAL_LENGTH)))


def normalise_credential(typed: str) -> str:
    """Turn what a person typed into the canonical dashed credential (§4 ⚠, §12).

    Spaces, dashes and similar separators are ignored; any other character outside the
    base58 alphabet, or a wrong length, is refused with a message saying which.
    """
    compact = typed.strip().translate(_SEPARATORS)
    bad = sorted({ch for ch in compact if ch not in BASE58_ALPHABET})
    if bad:
        raise CredentialError(f"characters not allowed in a credential: {' '.join(bad)}")
    if len(compact) != CREDENTIAL_LENGTH:
        raise CredentialError(
            f"a credential has {CREDENTIAL_LENGTH} characters, {len(compact)} were given"
        )
    return format_credential(compact)


def derive_secret(uuid: str, credential: str) -> int:
    """``derive_full`` (§12 "2.4"): SHA-256 of ``derive_credential|uuid|i|cred`` for i = 0, 1,
    concatenated as a 512-bit hex number, reduced mod q. ``credential`` is normalised first."""
    dashed = normalise_credential(credential)
    prefix = f"derive_credential|{uuid}"
    digest = sha256_hex(f"{prefix}|0|{dashed}") + sha256_hex(f"{prefix}|1|{dashed}")
    return int(digest, 16) % Q


def public_credential(uuid: str, credential: str) -> Element:
    """``g^derive_secret(uuid, credential)`` (§4)."""
    return GROUP.mul_base(derive_secret(uuid, credential))


@dataclass(frozen=True, slots=True)
class PublicCredentials:
    """The public credential list of an election: credential → weight (§4)."""

    weights: dict[Element, int]
    explicit_weights: bool = False

    @property
    def total_weight(self) -> int:
        return sum(self.weights.values())

    def to_json(self) -> list[str]:
        """The list as ``archive init`` stores it: sorted, weights only when explicit (§4)."""
        out = []
        for e in sorted(self.weights, key=GROUP.sort_key):
            s = GROUP.element_to_string(e)
            out.append(f"{s},{self.weights[e]}" if self.explicit_weights else s)
        return out


def make_public_credentials(
    credentials: Iterable[Element], weights: Sequence[int] | None = None
) -> PublicCredentials:
    """Build a public credential list (§4): all weights 1 unless given; refuses duplicates."""
    creds = list(credentials)
    ws = [1] * len(creds) if weights is None else list(weights)
    table: dict[Element, int] = {}
    for e, w in zip(creds, ws, strict=True):
        if e in table:
            raise FormatError("the same public credential appears twice")
        table[e] = w
    return PublicCredentials(table, explicit_weights=weights is not None)


def parse_public_credentials(value: JsonValue) -> PublicCredentials:
    """Read the archived list (§4): ``"<cred>"`` or ``"<cred>,<weight>"`` entries, every
    credential a group element, all distinct, integer weights ≥ 0."""
    table: dict[Element, int] = {}
    explicit = False
    for i, entry in enumerate(expect_list(value, "public credentials")):
        text = expect_str(entry, f"public credential {i + 1}")
        cred, sep, weight = text.partition(",")
        if sep:
            explicit = True
            if not weight.isascii() or not weight.isdigit():
                raise FormatError(f"public credential {i + 1}: invalid weight {weight!r}")
            w = int(weight)
        else:
            w = 1
        try:
            e = GROUP.element_of_string(cred)
        except GroupError as exc:
            raise FormatError(f"public credential {i + 1}: {exc}") from exc
        if not GROUP.check(e):
            raise FormatError(f"public credential {i + 1} is not a group element")
        if e in table:
            raise FormatError(f"public credential {i + 1} appears twice")
        table[e] = w
    return PublicCredentials(table, explicit_weights=explicit)
