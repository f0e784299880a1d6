"""Writes to the urn store: the setup of a scrutin's log, ballots appended to its hash chain
with the running encrypted tally (docs/protocol.md §7, §9). Every write is one transaction on the
``urn`` alias; appends to one scrutin are serialised by a row lock on its head.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connections, transaction
from django.db.models import F

from urne.crypto.archive import Event, header_record
from urne.crypto.ballot import Ballot
from urne.crypto.election import parse_election
from urne.crypto.encoding import dumps, loads, sha256_b64, sha256_hex
from urne.crypto.group import GROUP
from urne.crypto.tally import EncryptedTally, add_ballot, empty_tally, tally_of_json, tally_text
from urne.site.hot_sql import hot_cursor

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


def _tables() -> dict[str, str]:
    return {
        "head": UrnScrutin._meta.db_table,
        "record": UrnRecord._meta.db_table,
        "event": UrnEvent._meta.db_table,
        "ballot": UrnBallot._meta.db_table,
    }


def urn_ballot_append(*, scrutin_uuid: str, ballot: Ballot, ballot_text: str) -> Appended:
    """Append a ballot already checked against the scrutin's election (§5) to the log, index
    it by tracker and credential, fold it into the running tally; one transaction.

    The same ballot again returns its place (``new`` False); another ballot of a credential
    that already voted is refused (``credential_used``), as is any ballot after EndBallots
    or the freeze (``urn_closed``).

    This is the hot spot of a large scrutin (every cast takes the head's row lock), so it is
    written in plain SQL, two statements on PostgreSQL (the locking read, then the writes as
    one statement of data-modifying CTEs; five elsewhere), the lock held only for them and the
    tally (ADR 0323, 0331). The records are those of ``ArchiveWriter.ballot``.
    """
    # The checked ballot was read from its canonical text, so its tracker is the text's hash.
    tracker = sha256_b64(ballot_text)
    credential = GROUP.element_to_string(ballot.credential)
    t = _tables()
    conn = connections[URN]
    lock = " FOR UPDATE OF h" if conn.features.has_select_for_update_of else ""
    with transaction.atomic(using=URN), hot_cursor(URN) as cur:
        cur.execute(
            f"SELECT h.id, h.height, h.last_event, h.next_seq, h.tally, "  # noqa: S608
            "(h.ended OR h.frozen_at IS NOT NULL), "
            f"b.tracker, b.height FROM {t['head']} h LEFT JOIN {t['ballot']} b "
            f"ON b.scrutin_id = h.id AND b.credential = %s WHERE h.uuid = %s{lock}",
            [credential, scrutin_uuid],
        )
        row = cur.fetchone()
        if row is None:
            raise UrnError("unknown_scrutin", scrutin_uuid)
        head_id, height, last_event, seq, tally_json, ended, prior_tracker, prior_height = row
        if prior_tracker is not None:
            if prior_tracker == tracker:
                return Appended(tracker=tracker, height=prior_height, new=False)
            raise UrnError("credential_used")
        if ended:
            raise UrnError("urn_closed")
        with _tallies_lock:
            cached = _tallies.get(scrutin_uuid)
        if cached is not None and cached[0] == last_event:
            tally = cached[1]
        else:
            tally = tally_of_json(loads(tally_json))
        tally = add_ballot(tally, ballot)
        new_tally = tally_text(tally)
        data_hash = sha256_hex(ballot_text.encode())
        height += 1
        event = dumps(Event(height, "Ballot", last_event or None, data_hash).to_json())
        event_hash = sha256_hex(event.encode())
        if conn.vendor == "postgresql":
            # One statement (data-modifying CTEs): one round trip instead of four.
            cur.execute(
                f"WITH r AS (INSERT INTO {t['record']} (scrutin_id, seq, kind, hash, body) "  # noqa: S608
                "VALUES (%s, %s, 'data', %s, %s), (%s, %s, 'event', %s, %s)), "
                f"e AS (INSERT INTO {t['event']} (scrutin_id, height, hash, parent, type, "
                "payload) VALUES (%s, %s, %s, %s, 'Ballot', %s)), "
                f"b AS (INSERT INTO {t['ballot']} (scrutin_id, tracker, credential, height) "
                "VALUES (%s, %s, %s, %s)) "
                f"UPDATE {t['head']} SET height = %s, last_event = %s, next_seq = %s, "
                "ballots = ballots + 1, tally = %s WHERE id = %s",
                [
                    *(head_id, seq, data_hash, ballot_text, head_id, seq + 1, event_hash, event),
                    *(head_id, height, event_hash, last_event, data_hash),
                    *(head_id, tracker, credential, height),
                    *(height, event_hash, seq + 2, new_tally, head_id),
                ],
            )
        else:
            cur.execute(
                f"INSERT INTO {t['record']} (scrutin_id, seq, kind, hash, body) "  # noqa: S608
                "VALUES (%s, %s, 'data', %s, %s), (%s, %s, 'event', %s, %s)",
                [head_id, seq, data_hash, ballot_text, head_id, seq + 1, event_hash, event],
            )
            cur.execute(
                f"INSERT INTO {t['event']} (scrutin_id, height, hash, parent, type, payload) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, 'Ballot', %s)",
                [head_id, height, event_hash, last_event, data_hash],
            )
            cur.execute(
                f"INSERT INTO {t['ballot']} (scrutin_id, tracker, credential, height) "  # noqa: S608
                "VALUES (%s, %s, %s, %s)",
                [head_id, tracker, credential, height],
            )
            cur.execute(
                f"UPDATE {t['head']} SET height = %s, last_event = %s, next_seq = %s, "  # noqa: S608
                "ballots = ballots + 1, tally = %s WHERE id = %s",
                [height, event_hash, seq + 2, new_tally, head_id],
            )
        fault_point("urn_written")
    with _tallies_lock:
        _tallies[scrutin_uuid] = (event_hash, tally)
    return Appended(tracker=tracker, height=height, new=True)


@dataclass(frozen=True, slots=True)
class UrnFrozen:
    ballots: int
    height: int
    last_event: str
    tally_sha256: str
    frozen_at: Any


def urn_freeze(*, scrutin_uuid: str, now: Any) -> UrnFrozen | None:
    """Freeze a scrutin's urn at ``now`` (the polling station's freeze, ADR 0770): from then
    on `urn_ballot_append` refuses every ballot (``urn_closed``). Idempotent: an urn already
    frozen keeps its first time. Returns the head's figures, None for an unknown scrutin."""
    with transaction.atomic(using=URN):
        head = UrnScrutin.objects.using(URN).select_for_update().filter(uuid=scrutin_uuid).first()
        if head is None:
            return None
        if head.frozen_at is None:
            head.frozen_at = now
            head.save(using=URN, update_fields=["frozen_at"])
    return UrnFrozen(
        ballots=head.ballots,
        height=head.height,
        last_event=head.last_event,
        tally_sha256=sha256_hex(head.tally.encode()),
        frozen_at=head.frozen_at,
    )


def urn_archive_download(*, actor: Any, scrutin_uuid: str) -> Iterator[bytes]:
    """The scrutin's current ``.bel`` archive for a member of the polling station, whatever
    the calendar (ADR 0324); the download is audited before the first byte goes out. Who may
    ask is ``backoffice.permissions.archive_visible``'s question, asked by the caller."""
    from urne.audit.services import audit_append

    from .selectors import urn_archive_chunks

    audit_append(actor=actor, action="urn.archive_download", data={"scrutin": scrutin_uuid})
    return urn_archive_chunks(scrutin_uuid=scrutin_uuid)


# --- The count (docs/protocol.md §7, §8; urne.count, ADR 0800) ----------------------------

#: Records before the first ballot: BELENIOS, election, trustees, credentials, setup, Setup.
FIRST_BALLOT_SEQ = 6


@dataclass(frozen=True, slots=True)
class TallyClosed:
    """The encrypted tally written at the count's opening, recomputed from the ballots."""

    ballots: int
    tally_text: str
    # False only when the count had already been opened (an idempotent second call).
    new: bool


def _ballots_tally(head: UrnScrutin, batch: int = 5000) -> tuple[EncryptedTally, int]:
    """The tally recomputed from the archive's ballots alone, each data record paired with
    the Ballot event that follows it and the hash chain followed from the Setup event; any
    break raises ``UrnError("urn_damaged")``."""
    from urne.crypto.ballot import BallotError, parse_ballot
    from urne.crypto.encoding import FormatError

    election = parse_election(
        UrnRecord.objects.using(URN).get(scrutin=head, seq=1).body  # the election record
    )
    setup_event = UrnRecord.objects.using(URN).get(scrutin=head, seq=FIRST_BALLOT_SEQ - 1)
    last_event = setup_event.hash
    tally = empty_tally(election)
    count = 0
    seq = FIRST_BALLOT_SEQ
    pending: UrnRecord | None = None
    while seq < head.next_seq:
        rows = list(
            UrnRecord.objects.using(URN)
            .filter(scrutin=head, seq__gte=seq, seq__lt=min(seq + batch, head.next_seq))
            .order_by("seq")
        )
        if not rows:
            break
        for r in rows:
            if r.seq != seq:
                raise UrnError("urn_damaged", f"record {seq} is missing")
            seq += 1
            if r.kind == UrnRecord.Kind.DATA:
                if pending is not None:
                    raise UrnError("urn_damaged", f"record {r.seq}: two data records")
                pending = r
                continue
            event = Event.of_text(r.body)
            if (
                event.type != "Ballot"
                or pending is None
                or event.payload != pending.hash
                or event.parent != last_event
                or sha256_hex(r.body.encode()) != r.hash
                or sha256_hex(pending.body.encode()) != pending.hash
            ):
                raise UrnError("urn_damaged", f"record {r.seq}: not a chained Ballot event")
            try:
                tally = add_ballot(tally, parse_ballot(pending.body))
            except (BallotError, FormatError, ValueError) as exc:
                raise UrnError("urn_damaged", f"record {pending.seq}: {exc}") from exc
            count += 1
            last_event = r.hash
            pending = None
    if pending is not None or last_event != (head.last_event or setup_event.hash):
        raise UrnError("urn_damaged", "the chain does not end at the head")
    return tally, count


def urn_count_open(*, scrutin_uuid: str) -> TallyClosed:
    """Close the scrutin's ballot box for the count (§7): the encrypted tally recomputed from
    the ballots of the archive (``_ballots_tally``), compared with the running tally kept at
    each cast and with the ballot index, then the EndBallots and EncryptedTally events
    written (``ArchiveWriter.end_ballots``, ``encrypted_tally``); no ballot is accepted
    after it. A difference refuses with ``tally_mismatch`` and writes nothing. Idempotent."""
    from urne.crypto.tally import sized_tally_json

    with transaction.atomic(using=URN):
        head = UrnScrutin.objects.using(URN).select_for_update().filter(uuid=scrutin_uuid).first()
        if head is None:
            raise UrnError("unknown_scrutin", scrutin_uuid)
        if head.count_seq is not None:
            return TallyClosed(ballots=head.ballots, tally_text=head.tally, new=False)
        tally, count = _ballots_tally(head)
        text = tally_text(tally)
        indexed = UrnBallot.objects.using(URN).filter(scrutin=head).count()
        if text != head.tally or count != head.ballots or count != indexed:
            raise UrnError(
                "tally_mismatch",
                f"{count} ballots in the archive, {head.ballots} counted at the casts, "
                f"{indexed} indexed; recomputed tally "
                f"{'equals' if text == head.tally else 'differs from'} the kept one",
            )
        head.count_seq = head.next_seq
        log = _Log(head)
        log.event("EndBallots")
        log.data(text)
        log.event("EncryptedTally", log.data(dumps(sized_tally_json(text, count, count))))
        log.save()
        head.ended = True
        head.save(using=URN)
    return TallyClosed(ballots=count, tally_text=text, new=True)


def _heads_locked(uuids: list[str]) -> dict[str, UrnScrutin]:
    """The scrutins' heads by uuid, locked in id order (two writers over several scrutins
    never wait on each other in a cycle); inside the caller's urn transaction."""
    return {
        h.uuid: h
        for h in UrnScrutin.objects.using(URN)
        .select_for_update()
        .filter(uuid__in=uuids)
        .order_by("pk")
    }


def urn_partial_decryptions_append(*, entries: list[tuple[str, int, str]]) -> None:
    """Append checked partial decryptions, ``(scrutin uuid, owner, canonical text)``, as
    PartialDecryption events (``ArchiveWriter.partial_decryption``, §8), all in one
    transaction, the heads locked in id order: a scrutin not counting, already with its
    result, or whose ``owner`` has already decrypted refuses the whole lot (``not_counting``,
    ``result_written``, ``already_decrypted``)."""
    from urne.crypto.tally import owned_json

    if not entries:
        return
    with transaction.atomic(using=URN):
        heads = _heads_locked([e[0] for e in entries])
        counted = [h for h in heads.values() if h.count_seq is not None]
        finished = set(
            UrnEvent.objects.using(URN)
            .filter(scrutin__in=counted, type="Result")
            .values_list("scrutin_id", flat=True)
        )
        owners: set[tuple[int, int]] = set()
        for sid, body in (
            UrnRecord.objects.using(URN)
            .filter(
                scrutin__in=counted,
                kind=UrnRecord.Kind.DATA,
                seq__gte=F("scrutin__count_seq"),
                hash__in=UrnEvent.objects.using(URN)
                .filter(scrutin__in=counted, type="PartialDecryption")
                .values("payload"),
            )
            .values_list("scrutin_id", "body")
        ):
            owners.add((sid, loads(body)["owner"]))
        records: list[UrnRecord] = []
        events: list[UrnEvent] = []
        for uuid, owner, text in entries:
            head = heads.get(uuid)
            if head is None or head.count_seq is None:
                raise UrnError("not_counting", uuid)
            if head.pk in finished:
                raise UrnError("result_written", uuid)
            if (head.pk, owner) in owners:
                raise UrnError("already_decrypted", f"{uuid}: trustee {owner}")
            log = _Log(head)
            log.data(text)
            log.event("PartialDecryption", log.data(dumps(owned_json(owner, text))))
            records += log.records
            events += log.events
        UrnRecord.objects.using(URN).bulk_create(records)
        UrnEvent.objects.using(URN).bulk_create(events)
        UrnScrutin.objects.using(URN).bulk_update(
            list(heads.values()), ["height", "last_event", "next_seq"]
        )


def urn_results_append(*, entries: list[tuple[str, str]]) -> None:
    """Append each ``(scrutin uuid, result text)`` as the scrutin's Result event
    (``ArchiveWriter.result``, §8), the archive's last event; all in one transaction, the
    heads locked in id order. A scrutin not counting or already with a Result refuses all."""
    if not entries:
        return
    with transaction.atomic(using=URN):
        heads = _heads_locked([e[0] for e in entries])
        done = set(
            UrnEvent.objects.using(URN)
            .filter(scrutin__in=list(heads.values()), type="Result")
            .values_list("scrutin__uuid", flat=True)
        )
        records: list[UrnRecord] = []
        events: list[UrnEvent] = []
        for uuid, text in entries:
            head = heads.get(uuid)
            if head is None or head.count_seq is None:
                raise UrnError("not_counting", uuid)
            if uuid in done:
                raise UrnError("result_written", uuid)
            log = _Log(head)
            log.event("Result", log.data(text))
            records += log.records
            events += log.events
        UrnRecord.objects.using(URN).bulk_create(records)
        UrnEvent.objects.using(URN).bulk_create(events)
        UrnScrutin.objects.using(URN).bulk_update(
            list(heads.values()), ["height", "last_event", "next_seq"]
        )


def urn_setup_remove(*, scrutin_uuid: str) -> bool:
    """Remove a scrutin's log while it holds no ballot and no count (a key lost before the
    seal, ADR 0703): its setup is made again with the new keys. False if there was none;
    ``UrnError("not_empty")`` if a ballot or the count is in it."""
    with transaction.atomic(using=URN):
        head = UrnScrutin.objects.using(URN).select_for_update().filter(uuid=scrutin_uuid).first()
        if head is None:
            return False
        if head.ballots or head.count_seq is not None or head.height > 0:
            raise UrnError("not_empty", "ballots or a count are in this urn")
        head.delete(using=URN)
    # This process's parsed setup and tally of the scrutin (see the ADR for the others).
    from .selectors import urn_caches_forget

    urn_caches_forget(scrutin_uuid)
    with _tallies_lock:
        _tallies.pop(scrutin_uuid, None)
    return True
