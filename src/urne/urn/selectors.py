"""Reads of the urn store: trackers, the board, the archive, the election of a scrutin."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from django.db.models import QuerySet

from urne.crypto.archive import Record, write_records
from urne.crypto.election import Election, parse_election

from .models import UrnBallot, UrnRecord, UrnScrutin

URN = "urn"
_elections: dict[str, Election] = {}
_elections_lock = threading.Lock()


def urn_head(*, scrutin_uuid: str) -> UrnScrutin | None:
    return UrnScrutin.objects.using(URN).filter(uuid=scrutin_uuid).first()


def urn_election(*, scrutin_uuid: str) -> Election | None:
    """The scrutin's election parameters as set up in the urn (parsed once per process: a
    scrutin's setup never changes once written, see ``urn_setup``)."""
    with _elections_lock:
        known = _elections.get(scrutin_uuid)
    if known is not None:
        return known
    row = (
        UrnScrutin.objects.using(URN)
        .filter(uuid=scrutin_uuid)
        .values_list("pk", "election_hash")
        .first()
    )
    if row is None:
        return None
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
        _elections[scrutin_uuid] = election
    return election


def urn_tracker_exists(*, scrutin_uuid: str, tracker: str) -> bool:
    return UrnBallot.objects.using(URN).filter(scrutin__uuid=scrutin_uuid, tracker=tracker).exists()


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
