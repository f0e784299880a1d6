"""The ``.bel`` election archive: Belenios's append-only tar of data records and hash-chained
events (docs/protocol.md §9). Byte-exact with belenios-tool 3.0, whose ``verify`` regenerates an
archive from its last event and compares it byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .encoding import (
    FormatError,
    JsonValue,
    dumps,
    expect_int,
    expect_object,
    expect_str,
    loads,
    sha256_hex,
)

EVENT_TYPES = (
    "Setup",
    "Ballot",
    "EndBallots",
    "EncryptedTally",
    "Shuffle",
    "EndShuffles",
    "PartialDecryption",
    "Result",
)
_BLOCK = 512


class ArchiveError(ValueError):
    """The archive cannot be read as a Belenios archive (docs/protocol.md §9)."""


@dataclass(frozen=True, slots=True)
class Record:
    """One tar member: its name and exact body bytes (§9)."""

    name: str
    body: bytes


def _octal(value: int, width: int) -> bytes:
    return b"%0*o\0" % (width - 1, value)


def _tar_header(name: str, size: int, mtime: int) -> bytes:
    # Old-style (v7) header, every other byte NUL, checksum computed with spaces (§9).
    header = bytearray(_BLOCK)
    raw_name = name.encode()
    if len(raw_name) > 100:
        raise ArchiveError(f"record name too long: {name}")
    header[0 : len(raw_name)] = raw_name
    header[100:108] = b"0000644\0"
    header[108:116] = b"0000000\0"
    header[116:124] = b"0000000\0"
    header[124:136] = _octal(size, 12)
    header[136:148] = _octal(mtime, 12)
    header[148:156] = b" " * 8
    header[156:157] = b"0"
    checksum = sum(header)
    header[148:156] = b"%06o\0 " % checksum
    return bytes(header)


def write_records(records: Iterable[Record], timestamp: int) -> bytes:
    """Serialise records as a Belenios tar: no end-of-archive blocks (§9)."""
    out = bytearray()
    for r in records:
        out += _tar_header(r.name, len(r.body), timestamp)
        out += r.body
        out += bytes(-len(r.body) % _BLOCK)
    return bytes(out)


def read_records(data: bytes) -> list[Record]:
    """Read every tar member (§9); raises ArchiveError if the tar structure is broken."""
    records: list[Record] = []
    pos = 0
    while pos + _BLOCK <= len(data):
        header = data[pos : pos + _BLOCK]
        if header == bytes(_BLOCK):
            break  # end-of-archive blocks written by another tar
        stored = header[148:156]
        expected = sum(header[:148]) + 8 * 32 + sum(header[156:])
        try:
            size = int(header[124:136].rstrip(b"\0 ") or b"0", 8)
            checksum = int(stored.rstrip(b"\0 ") or b"0", 8)
        except ValueError as exc:
            raise ArchiveError(f"corrupt tar header at byte {pos}") from exc
        if checksum != expected:
            raise ArchiveError(f"bad tar header checksum at byte {pos}")
        name = header[:100].split(b"\0", 1)[0].decode("utf-8", "replace")
        start = pos + _BLOCK
        if start + size > len(data):
            raise ArchiveError(f"truncated record {name}")
        records.append(Record(name, data[start : start + size]))
        pos = start + size + (-size % _BLOCK)
    if pos < len(data) and data[pos:].strip(b"\0"):
        raise ArchiveError(f"trailing bytes after the last record at byte {pos}")
    return records


@dataclass(frozen=True, slots=True)
class Event:
    """An event of the hash chain (§9)."""

    height: int
    type: str
    parent: str | None = None
    payload: str | None = None

    def to_json(self) -> dict[str, JsonValue]:
        out: dict[str, JsonValue] = {}
        if self.parent is not None:
            out["parent"] = self.parent
        out["height"] = self.height
        out["type"] = self.type
        if self.payload is not None:
            out["payload"] = self.payload
        return out

    @staticmethod
    def of_text(text: str) -> Event:
        obj = expect_object(loads(text), "event", ("parent", "height", "type", "payload"))
        kind = expect_str(obj.get("type"), "event type")
        if kind not in EVENT_TYPES:
            raise FormatError(f"unknown event type {kind!r}")
        parent = obj.get("parent")
        payload = obj.get("payload")
        return Event(
            height=expect_int(obj.get("height"), "event height"),
            type=kind,
            parent=None if parent is None else expect_str(parent, "event parent"),
            payload=None if payload is None else expect_str(payload, "event payload"),
        )


def header_record(timestamp: int) -> Record:
    """The first record ``BELENIOS`` (the timestamp is a JSON string, §9)."""
    return Record("BELENIOS", dumps({"version": 1, "timestamp": str(timestamp)}).encode())


@dataclass
class ArchiveWriter:
    """Builds an archive event by event, writing records in the order belenios-tool's
    ``fsck`` regenerates them (§9)."""

    timestamp: int
    records: list[Record] = field(default_factory=list)
    last_event: str | None = None
    height: int = -1

    def __post_init__(self) -> None:
        if not self.records:
            self.records.append(header_record(self.timestamp))

    def data(self, text: str) -> str:
        """Append a data record; returns its hash."""
        body = text.encode()
        digest = sha256_hex(body)
        self.records.append(Record(f"{digest}.data.json", body))
        return digest

    def event(self, kind: str, payload: str | None = None) -> str:
        """Append an event chained to the previous one; returns its hash."""
        self.height += 1
        body = dumps(Event(self.height, kind, self.last_event, payload).to_json()).encode()
        digest = sha256_hex(body)
        self.records.append(Record(f"{digest}.event.json", body))
        self.last_event = digest
        return digest

    def setup(self, election: str, trustees: str, credentials: str) -> str:
        h_e, h_t, h_c = self.data(election), self.data(trustees), self.data(credentials)
        setup = self.data(dumps({"election": h_e, "trustees": h_t, "credentials": h_c}))
        return self.event("Setup", setup)

    def ballot(self, ballot: str) -> str:
        return self.event("Ballot", self.data(ballot))

    def end_ballots(self) -> str:
        return self.event("EndBallots")

    def encrypted_tally(self, tally: str, sized: str) -> str:
        self.data(tally)
        return self.event("EncryptedTally", self.data(sized))

    def partial_decryption(self, partial_decryption: str, owned: str) -> str:
        self.data(partial_decryption)
        return self.event("PartialDecryption", self.data(owned))

    def result(self, result: str) -> str:
        return self.event("Result", self.data(result))

    def to_bytes(self) -> bytes:
        return write_records(self.records, self.timestamp)


def parse_header(record: Record) -> int:
    """The archive's timestamp, from its ``BELENIOS`` record (§9)."""
    if record.name != "BELENIOS":
        raise ArchiveError("the first record is not BELENIOS")
    try:
        obj = expect_object(loads(record.body.decode()), "archive header", ("version", "timestamp"))
        if obj.get("version") != 1:
            raise ArchiveError(f"unsupported archive version {obj.get('version')!r}")
        return int(expect_str(obj.get("timestamp"), "timestamp"))
    except (FormatError, UnicodeDecodeError, ValueError) as exc:
        raise ArchiveError(f"invalid archive header: {exc}") from exc


def events_with_data(records: list[Record]) -> list[tuple[Event, list[Record]]]:
    """Group records into events, each with the data records written just before it (§9).

    No check is made here beyond parsing: the verifier checks the chain.
    """
    out: list[tuple[Event, list[Record]]] = []
    pending: list[Record] = []
    for r in records[1:]:
        if r.name.endswith(".event.json"):
            out.append((Event.of_text(r.body.decode()), pending))
            pending = []
        else:
            pending.append(r)
    return out
