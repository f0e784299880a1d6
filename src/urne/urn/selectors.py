"""Reads of the urn store: trackers, the board, the archive, the election of a scrutin."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import F, QuerySet

from urne.crypto.archive import Record, events_with_data, write_records
from urne.crypto.election import Election, parse_election
from urne.crypto.encoding import expect_int, loads
from urne.crypto.tally import (
    EncryptedTally,
    PartialDecryption,
    parse_result,
    parse_sized_tally,
    tally_of_json,
)
from urne.crypto.trustees import Trustee, parse_trustees

from .models import UrnBallot, UrnRecord, UrnScrutin

URN = "urn"
ELECTION_RECHECK_SECONDS = 5.0


@dataclass(frozen=True)
class _Parsed:
    election: Election
    election_hash: str
    checked_at: float  # time.monotonic() when the urn last said this is its setup


_elections: dict[str, _Parsed] = {}
_elections_lock = threading.Lock()


def urn_head(*, scrutin_uuid: str) -> UrnScrutin | None:
    return UrnScrutin.objects.using(URN).filter(uuid=scrutin_uuid).first()


def urn_election(*, scrutin_uuid: str) -> Election | None:
    """The scrutin's election parameters as set up in the urn, parsed once per process.

    A setup never changes once the vote is sealed; before the seal it may be removed and
    written again with new keys (a key lost, ADR 0703) by another process. So a parsed
    election is trusted for ``ELECTION_RECHECK_SECONDS`` at most, then its setup's hash is
    read again (one indexed row): a process never serves an old key for longer, and the new
    ceremony, its seal and the opening take far longer than that."""
    now = time.monotonic()
    with _elections_lock:
        known = _elections.get(scrutin_uuid)
    if known is not None and now - known.checked_at < ELECTION_RECHECK_SECONDS:
        return known.election
    row = (
        UrnScrutin.objects.using(URN)
        .filter(uuid=scrutin_uuid)
        .values_list("pk", "election_hash")
        .first()
    )
    if row is None:
        urn_caches_forget(scrutin_uuid)
        return None
    if known is not None and known.election_hash == row[1]:
        with _elections_lock:
            _elections[scrutin_uuid] = _Parsed(known.election, row[1], now)
        return known.election
    body = (
        UrnRecord.objects.using(URN)
        .filter(scrutin_id=row[0], kind=UrnRecord.Kind.DATA, hash=row[1])
        .values_list("body", flat=True)
        .first()
    )
    if body is None:
        return None
    election = parse_election(body)
    with _elections_lock:
        _elections[scrutin_uuid] = _Parsed(election, row[1], now)
    return election


def urn_tracker_exists(*, scrutin_uuid: str, tracker: str) -> bool:
    return UrnBallot.objects.using(URN).filter(scrutin__uuid=scrutin_uuid, tracker=tracker).exists()


def urn_tracker_of(*, scrutin_uuid: str, credentials: list[str]) -> str | None:
    """The tracker of the ballot cast with one of ``credentials`` (a credential casts at most
    once), None when none did."""
    return (
        UrnBallot.objects.using(URN)
        .filter(scrutin__uuid=scrutin_uuid, credential__in=credentials)
        .values_list("tracker", flat=True)
        .first()
    )


def urn_trackers(*, scrutin_uuid: str, query: str = "") -> QuerySet[UrnBallot]:
    """The public board: trackers in cast order, optionally those starting with ``query``."""
    qs = UrnBallot.objects.using(URN).filter(scrutin__uuid=scrutin_uuid).order_by("height")
    if query:
        qs = qs.filter(tracker__startswith=query)
    return qs


def urn_archive_chunks(*, scrutin_uuid: str, batch: int = 2000) -> Iterator[bytes]:
    """The current ``.bel`` archive, record by record (byte-exact, docs/protocol.md §9)."""
    head = urn_head(scrutin_uuid=scrutin_uuid)
    if head is None:
        return
    # The records up to the head as read now: later appends are not included.
    last = head.next_seq
    seq = 0
    while seq < last:
        rows = list(
            UrnRecord.objects.using(URN)
            .filter(scrutin=head, seq__gte=seq, seq__lt=min(seq + batch, last))
            .order_by("seq")
        )
        if not rows:
            break
        for r in rows:
            yield write_records([Record(r.name, r.body.encode())], head.timestamp)
        seq = rows[-1].seq + 1


def urn_archive_bytes(*, scrutin_uuid: str) -> bytes:
    return b"".join(urn_archive_chunks(scrutin_uuid=scrutin_uuid))


@dataclass(frozen=True)
class CountState:
    """What the count reads of a scrutin's urn once its count has opened (§7, §8)."""

    election: Election
    trustees: list[Trustee]
    tally: EncryptedTally
    tally_text: str
    num_tallied: int
    total_weight: int
    # owner (trustee id, §8) -> partial decryption, in arrival order
    decryptions: dict[int, PartialDecryption]
    result: list[list[int]] | None
    last_event: str


def urn_count_state(*, scrutin_uuid: str) -> CountState | None:
    """The scrutin's count as its urn holds it (None before the count opens): its election and
    trustees, the EncryptedTally event's tally, the PartialDecryption events and the Result."""
    return urn_count_states(scrutin_uuids=[scrutin_uuid]).get(scrutin_uuid)


# Parsed trustees by scrutin and election hash: the election's text holds the public key, so
# a setup removed before the seal and written again with new keys (ADR 0703) is another key,
# and no process reads the old keys from here.
_trustees: dict[tuple[str, str], list[Trustee]] = {}


def urn_caches_forget(scrutin_uuid: str) -> None:
    """Forget this process's parsed election and trustees of a scrutin whose setup was
    removed (``urn.services.urn_setup_remove``, before the seal only)."""
    with _elections_lock:
        _elections.pop(scrutin_uuid, None)
        for key in [k for k in _trustees if k[0] == scrutin_uuid]:
            del _trustees[key]


def urn_trustees(*, scrutin_uuid: str) -> list[Trustee] | None:
    """The scrutin's trustees (its setup's third record), without reading the count's events:
    what a procès-verbal needs to name each decryption's key."""
    head = (
        UrnScrutin.objects.using(URN)
        .filter(uuid=scrutin_uuid)
        .values_list("pk", "election_hash")
        .first()
    )
    if head is None:
        return None
    head_id, key = head[0], (scrutin_uuid, head[1])
    if key not in _trustees:
        body = (
            UrnRecord.objects.using(URN)
            .filter(scrutin_id=head_id, seq=2)
            .values_list("body", flat=True)
            .first()
        )
        if body is None:
            return None
        parsed = parse_trustees(loads(body))
        with _elections_lock:
            _trustees[key] = parsed
    return _trustees[key]


def urn_count_states(*, scrutin_uuids: list[str]) -> dict[str, CountState]:
    """``urn_count_state`` of many scrutins in three statements (heads, trustees, the records
    from each count's first one): a bureau's 290 scrutins are read at once. Scrutins whose
    count has not opened are left out."""
    heads = {
        h.pk: h
        for h in UrnScrutin.objects.using(URN).filter(
            uuid__in=scrutin_uuids, count_seq__isnull=False
        )
    }
    if not heads:
        return {}
    missing = [h.pk for h in heads.values() if (h.uuid, h.election_hash) not in _trustees]
    if missing:
        for sid, body in (
            UrnRecord.objects.using(URN)
            .filter(scrutin_id__in=missing, seq=2)
            .values_list("scrutin_id", "body")
        ):
            parsed = parse_trustees(loads(body))
            with _elections_lock:
                _trustees[heads[sid].uuid, heads[sid].election_hash] = parsed
    by_scrutin: dict[int, list[Record]] = {pk: [Record("BELENIOS", b"")] for pk in heads}
    rows = (
        UrnRecord.objects.using(URN)
        .filter(scrutin_id__in=list(heads), seq__gte=F("scrutin__count_seq"))
        .order_by("scrutin_id", "seq")
        .values_list("scrutin_id", "kind", "hash", "body")
    )
    for sid, kind, digest, body in rows:
        by_scrutin[sid].append(Record(f"{digest}.{kind}.json", body.encode()))
    out = {}
    for sid, records in by_scrutin.items():
        head = heads[sid]
        election = urn_election(scrutin_uuid=head.uuid)
        assert election is not None  # noqa: S101 — a head has its setup records
        out[head.uuid] = _count_state(
            election, _trustees[head.uuid, head.election_hash], records, head.last_event
        )
    return out


def _count_state(
    election: Election, trustees: list[Trustee], records: list[Record], last_event: str
) -> CountState:
    tally_text_: str | None = None
    sized: tuple[int, int, str] | None = None
    decryptions: dict[int, PartialDecryption] = {}
    result = None
    for event, data in events_with_data(records):
        if event.type == "EncryptedTally":
            tally_text_ = data[0].body.decode()
            sized = parse_sized_tally(loads(data[1].body.decode()))
        elif event.type == "PartialDecryption":
            owner = expect_int(loads(data[1].body.decode()).get("owner"), "owner")
            decryptions[owner] = PartialDecryption.of_json(loads(data[0].body.decode()))
        elif event.type == "Result":
            result = parse_result(loads(data[0].body.decode()))
    assert tally_text_ is not None and sized is not None  # noqa: S101 — written at the opening
    return CountState(
        election=election,
        trustees=trustees,
        tally=tally_of_json(loads(tally_text_)),
        tally_text=tally_text_,
        num_tallied=sized[0],
        total_weight=sized[1],
        decryptions=decryptions,
        result=result,
        last_event=last_event,
    )
