"""A holder's partial decryptions of every scrutin of a bureau in one file (ADR 0801):
what ``urne-trustee decrypt-bureau`` writes and the count's upload page reads.

One canonical JSON object: ``{"decryptions":[{"owner":N,"partial_decryption":"…",
"uuid":"…"},…],"format":"urne-partial-decryptions/1"}``, one entry per scrutin, each
``partial_decryption`` the canonical text of a Belenios ``partial_decryption`` (docs/protocol.md
§8), ``owner`` the trustee id the holder's tool found. The server never believes ``owner``: it
binds each entry to the trustee whose public key its proofs verify under. Pure: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass

from urne.crypto.encoding import (
    FormatError,
    JsonValue,
    dumps,
    expect_int,
    expect_list,
    expect_object,
    expect_str,
    loads,
)
from urne.crypto.tally import PartialDecryption

FORMAT = "urne-partial-decryptions/1"
#: A bureau's file: 290 scrutins of a few slots each stay far below.
MAX_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class BundleEntry:
    uuid: str
    owner: int
    text: str
    partial_decryption: PartialDecryption


def bundle_dumps(entries: list[tuple[str, int, str]]) -> str:
    """The file for ``(uuid, owner, partial decryption text)`` entries."""
    items: list[JsonValue] = [
        {"owner": owner, "partial_decryption": text, "uuid": uuid}
        for uuid, owner, text in sorted(entries)
    ]
    return dumps({"decryptions": items, "format": FORMAT})


def bundle_parse(data: bytes) -> list[BundleEntry]:
    """Read a bundle strictly; raises FormatError on anything else (size, encoding, JSON,
    format, a scrutin twice, a partial decryption that is not canonical)."""
    if len(data) > MAX_BYTES:
        raise FormatError("file too large")
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise FormatError("not UTF-8") from exc
    obj = expect_object(loads(text), "bundle", ("decryptions", "format"))
    if obj.get("format") != FORMAT:
        raise FormatError("not an urne-partial-decryptions/1 file")
    out: list[BundleEntry] = []
    seen: set[str] = set()
    for item in expect_list(obj.get("decryptions"), "decryptions"):
        entry = expect_object(item, "decryption", ("owner", "partial_decryption", "uuid"))
        uuid = expect_str(entry.get("uuid"), "uuid")
        if uuid in seen:
            raise FormatError(f"scrutin {uuid} appears twice")
        seen.add(uuid)
        pd_text = expect_str(entry.get("partial_decryption"), "partial_decryption")
        pd = PartialDecryption.of_json(loads(pd_text))
        if dumps(pd.to_json()) != pd_text:
            raise FormatError(f"{uuid}: partial decryption not in canonical form")
        out.append(BundleEntry(uuid, expect_int(entry.get("owner"), "owner"), pd_text, pd))
    if not out:
        raise FormatError("no partial decryption")
    return out
