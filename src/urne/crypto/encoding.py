"""Hashes and canonical JSON as belenios-tool writes them (docs/protocol.md §1).

Canonical JSON is Yojson's compact output: no spaces, fields in the order of the ATD type
(our serialisers build dicts in that order), optional fields omitted, non-ASCII written raw,
``/`` not escaped. The one difference with Python's encoder is U+007F, which Yojson escapes.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

JsonValue = Any  # JSON trees are heterogeneous by nature; every reader checks what it takes.


class FormatError(ValueError):
    """Data that is not in the expected Belenios format (§1)."""


def sha256_hex(data: str | bytes) -> str:
    """``Hash.t``: SHA-256 as 64 lowercase hex chars (§1)."""
    raw = data.encode() if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def sha256_b64(data: str | bytes) -> str:
    """Belenios's "b64 hash": unpadded standard Base64 of SHA-256 (§1)."""
    raw = data.encode() if isinstance(data, str) else data
    return base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")


def dumps(value: JsonValue) -> str:
    """Canonical (compact, Yojson-compatible) JSON text of ``value`` (§1)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("\x7f", "\\u007f")


def _reject_constant(name: str) -> None:
    raise FormatError(f"JSON constant {name} is not allowed")


def loads(text: str | bytes) -> JsonValue:
    """Parse JSON text (§1); raises FormatError (never a bare exception) on bad input."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        if isinstance(exc, FormatError):
            raise
        raise FormatError(f"invalid JSON: {exc}") from exc


def expect_object(value: JsonValue, what: str, fields: tuple[str, ...]) -> dict[str, Any]:
    """An object with only the ATD ``fields`` (§1; their order is checked by re-serialising)."""
    if not isinstance(value, dict):
        raise FormatError(f"{what}: an object was expected")
    unknown = set(value) - set(fields)
    if unknown:
        raise FormatError(f"{what}: unexpected field(s) {sorted(unknown)}")
    return value


def expect_list(value: JsonValue, what: str) -> list[Any]:
    """A JSON array (§1), or FormatError naming ``what``."""
    if not isinstance(value, list):
        raise FormatError(f"{what}: a list was expected")
    return value


def expect_str(value: JsonValue, what: str) -> str:
    """A JSON string (§1), or FormatError naming ``what``."""
    if not isinstance(value, str):
        raise FormatError(f"{what}: a string was expected")
    return value


def expect_int(value: JsonValue, what: str) -> int:
    """A JSON integer, not a boolean (§1), or FormatError naming ``what``."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise FormatError(f"{what}: an integer was expected")
    return value
