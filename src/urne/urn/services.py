"""Writes to the urn store: the setup of a scrutin's log, ballots appended to its hash chain
with the running encrypted tally (PROTOCOL.md §7, §9). Every write is one transaction on the
``urn`` alias; appends to one scrutin are serialised by a row lock on its head.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from urne.crypto.archive import Event, header_record
from urne.crypto.ballot import Ballot
from urne.crypto.election import parse_election
from urne.crypto.encoding import dumps, loads, sha256_hex
from urne.crypto.group import GROUP
from urne.crypto.tally import EncryptedTally, add_ballot, empty_tally, tally_of_json, tally_text

from .faults import fault_point
from .models import UrnBallot, UrnEvent, UrnRecord, UrnScrutin

URN = "urn"


class UrnError(ValueError):
    """A write the urn refuses; ``code`` names the reason (stable, for the cast's JSON)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


@dataclass(frozen=True, slots=True)
class Appended:
    tracker: str
    height: int
    # False when this very ballot was already in the urn (a resend): nothing was written.
    new: bool


# Running tallies kept in this process, keyed by scrutin uuid: (last event hash, tally). A
# cached tally is used only if the head in the database still ends with the same event, so
# appends from other processes simply make the cache miss.
_tallies: dict[str, tuple[str, EncryptedTally]] = {}
_tallies_lock = threading.Lock()


class _Log:
    """Appends records and events after the head (the ArchiveWriter's order, §9)."""

    def __init__(self, head: UrnScrutin) -> None:
        self.head = head
        self.records: list[UrnRecord] = []
        self.events: list[UrnEvent] = []

    def _record(self, kind: str, digest: str, body: str) -> None:
        self.records.append(
            UrnRecord(scrutin=self.head, seq=self.head.next_seq, kind=kind, hash=digest, body=body)
        )
        self.head.next_seq += 1

    def header(self) -> None:
        self._record(UrnRecord.Kind.HEADER, "", header_record(self.head.timestamp).body.decode())

    def data(self, text: str) -> str:
        digest = sha256_hex(text.encode())
        self._record(UrnRecord.Kind.DATA, digest, text)
        return digest

    def event(self, kind: str, payload: str | None = None) -> str:
        head = self.head
        height = head.height + 1
        parent = head.last_event or None
        body = dumps(Event(height, kind, parent, payload).to_json())
        digest = sha256_hex(body.encode())
        self._record(UrnRecord.Kind.EVENT, digest, body)
        self.events.append(
            UrnEvent(
                scrutin=head,
                height=height,
                hash=digest,
                parent=parent or "",
                type=kind,
                payload=payload or "",
            )
        )
        head.height = height
        head.last_event = digest
        return digest

    def save(self) -> None:
        UrnRecord.objects.using(URN).bulk_create(self.records)
        UrnEvent.objects.using(URN).bulk_create(self.events)


def urn_setup(*, scrutin_uuid: str, election: str, trustees: str, public_credentials: str) -> None:
    """Open a scrutin's log: the BELENIOS header, then the election, trustees and public
    credentials data records, the setup record and the Setup event, exactly as
    ``ArchiveWriter.setup`` orders them (§9). Idempotent for the same three texts; a
    different setup for an existing scrutin is refused."""
    parsed = parse_election(election)
    if parsed.uuid != scrutin_uuid:
        raise UrnError("uuid", "the election's uuid is not the scrutin's")
    loads(trustees)
    loads(public_credentials)
    with transaction.atomic(using=URN):
        existing = UrnScrutin.objects.using(URN).filter(uuid=scrutin_uuid).first()
        if existing is not None:
            hashes = [sha256_hex(t.encode()) for t in (election, trustees, public_credentials)]
            stored = list(
                UrnRecord.objects.using(URN)
                .filter(scrutin=existing, kind=UrnRecord.Kind.DATA, seq__lte=3)
                .order_by("seq")
                .values_list("hash", flat=True)
            )
            if stored != hashes:
                raise UrnError("setup", "this scrutin's urn already has another setup")
            return
        head = UrnScrutin(
            uuid=scrutin_uuid,
            timestamp=int(time.time()),
            election_hash=sha256_hex(election.encode()),
            tally=tally_text(empty_tally(parsed)),
        )
        try:
            with transaction.atomic(using=URN):
                head.save(using=URN)
        except IntegrityError as exc:  # a concurrent setup of the same scrutin
            raise UrnError("setup", "concurrent setup") from exc
        log = _Log(head)
        log.header()
        h_e, h_t, h_c = log.data(election), log.data(trustees), log.data(public_credentials)
        setup = log.data(dumps({"election": h_e, "trustees": h_t, "credentials": h_c}))
        log.event("Setup", setup)
        log.save()
        head.save(using=URN)


def urn_ballot_append(*, scrutin_uuid: str, ballot: Ballot, ballot_text: str) -> Appended:
    """Append a ballot already checked against the scrutin's election (§5) to the log, index
    it by tracker and credential, fold it into the running tally; one transaction.

    The same ballot again returns its place (``new`` False); another ballot of a credential
    that already voted is refused (``credential_used``), as is any ballot after EndBallots.
    """
    tracker = ballot.tracker
    credential = GROUP.element_to_string(ballot.credential)
    with transaction.atomic(using=URN):
        head = UrnScrutin.objects.using(URN).select_for_update().filter(uuid=scrutin_uuid).first()
        if head is None:
            raise UrnError("unknown_scrutin", scrutin_uuid)
        prior = (
            UrnBallot.objects.using(URN)
            .filter(scrutin=head, credential=credential)
            .values_list("tracker", "height")
            .first()
        )
        if prior is not None:
            if prior[0] == tracker:
                return Appended(tracker=tracker, height=prior[1], new=False)
            raise UrnError("credential_used")
        if head.ended:
            raise UrnError("urn_closed")
        with _tallies_lock:
            cached = _tallies.get(scrutin_uuid)
        if cached is not None and cached[0] == head.last_event:
            tally = cached[1]
        else:
            tally = tally_of_json(loads(head.tally))
        tally = add_ballot(tally, ballot)
        log = _Log(head)
        log.event("Ballot", log.data(ballot_text))
        log.save()
        UrnBallot.objects.using(URN).create(
            scrutin=head, tracker=tracker, credential=credential, height=head.height
        )
        head.ballots += 1
        head.tally = tally_text(tally)
        head.save(using=URN, update_fields=["height", "last_event", "next_seq", "ballots", "tally"])
        fault_point("urn_written")
    with _tallies_lock:
        _tallies[scrutin_uuid] = (head.last_event, tally)
    return Appended(tracker=tracker, height=head.height, new=True)
