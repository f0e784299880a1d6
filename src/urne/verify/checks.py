"""Every check of a Belenios ``.bel`` archive (docs/protocol.md §9 and the sections it cites).

Unlike belenios-tool 3.0's ``election verify``, an invalid ballot always fails the archive,
and the published encrypted tally is compared with the one recomputed from the ballots.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from urne.crypto.archive import ArchiveError, Event, Record, parse_header, read_records
from urne.crypto.credentials import PublicCredentials, parse_public_credentials
from urne.crypto.election import Election, parse_election
from urne.crypto.encoding import FormatError, dumps, expect_object, expect_str, loads, sha256_hex
from urne.crypto.group import GROUP, Element
from urne.crypto.primitives import Ciphertext
from urne.crypto.tally import (
    CombinationError,
    EncryptedTally,
    PartialDecryption,
    add_choices,
    check_partial_decryption,
    combine_factors,
    empty_tally,
    parse_result,
    parse_sized_tally,
    result_to_json,
    tally_of_json,
    tally_to_json,
)
from urne.crypto.threshold import check_pedersen
from urne.crypto.trustees import (
    ThresholdParameters,
    Trustee,
    TrusteePublicKey,
    check_single,
    election_public_key,
    parse_trustees,
)

from .ballots import check_ballots


@dataclass(frozen=True, slots=True)
class Failure:
    """A failed check: where (the event) and what."""

    where: str
    check: str

    def __str__(self) -> str:
        return f"{self.where}: {self.check}"


@dataclass
class Report:
    """The verdict on one archive (the ``--json`` report has the same fields)."""

    path: str
    readable: bool = True
    failures: list[Failure] = field(default_factory=list)
    uuid: str | None = None
    ballots: int = 0
    tallied: int = 0
    result: list[list[int]] | None = None
    stage: str = "empty"

    @property
    def valid(self) -> bool:
        return self.readable and not self.failures

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "valid": self.valid,
            "readable": self.readable,
            "uuid": self.uuid,
            "stage": self.stage,
            "ballots": self.ballots,
            "tallied": self.tallied,
            "result": self.result,
            "failures": [{"where": f.where, "check": f.check} for f in self.failures],
        }


class _Invalid(Exception):
    """Stops the checks that depend on a failed one."""


@dataclass
class _EventRecord:
    number: int
    event: Event
    text: str
    data: list[Record]

    @property
    def where(self) -> str:
        return f"event {self.number} ({self.event.type})"


_ORDER = {
    "Setup": 0,
    "Ballot": 1,
    "EndBallots": 2,
    "EncryptedTally": 3,
    "PartialDecryption": 4,
    "Result": 5,
}


_PREREQUISITE = {
    "EncryptedTally": "EndBallots",
    "PartialDecryption": "EncryptedTally",
    "Result": "EncryptedTally",
}


def _data_count(event: Event) -> int:
    # How many data records belenios-tool writes before each event kind (§9).
    return {"Setup": 4, "Ballot": 1, "EncryptedTally": 2, "PartialDecryption": 2, "Result": 1}.get(
        event.type, 0
    )


class ArchiveVerifier:
    """Checks one archive; use :func:`verify_archive`."""

    def __init__(
        self, path: str, jobs: int, on_progress: Callable[[str, int, int], None] | None
    ) -> None:
        self.report = Report(path=path)
        self.jobs = jobs
        self.on_progress = on_progress

    def fail(self, where: str, check: str) -> None:
        self.report.failures.append(Failure(where, check))

    def stop(self, where: str, check: str) -> _Invalid:
        """Record a failure that the later checks depend on; raise what this returns."""
        self.fail(where, check)
        return _Invalid()

    # -- structure ----------------------------------------------------------------------------

    def read_events(self, records: list[Record]) -> list[_EventRecord]:
        """Hash chain and layout (§9): names are hashes of bodies, heights increase by one,
        each event's parent is the previous event, data records precede their event in
        belenios-tool's order and are what the payloads point to."""
        events: list[_EventRecord] = []
        pending: list[Record] = []
        parent: str | None = None
        for r in records[1:]:
            digest = sha256_hex(r.body)
            if r.name == f"{digest}.data.json":
                pending.append(r)
                continue
            if r.name != f"{digest}.event.json":
                raise self.stop(f"record {r.name}", "record name is not the hash of its body")
            where = f"event {len(events)}"
            try:
                text = r.body.decode()
                event = Event.of_text(text)
            except (FormatError, UnicodeDecodeError) as exc:
                raise self.stop(where, f"unreadable event: {exc}") from exc
            where = f"event {len(events)} ({event.type})"
            if dumps(event.to_json()) != text:
                self.fail(where, "non-canonical JSON")
            if event.height != len(events):
                self.fail(where, f"height {event.height}, expected {len(events)}")
            if event.parent != parent:
                self.fail(where, "broken hash chain: parent is not the previous event")
            expected = _data_count(event)
            if len(pending) != expected:
                self.fail(
                    where, f"{len(pending)} data records before the event, {expected} expected"
                )
            if expected and (
                event.payload is None or event.payload != sha256_hex(pending[-1].body)
            ):
                self.fail(where, "payload is not the hash of the event's data")
            if not expected and event.payload is not None:
                self.fail(where, "unexpected payload")
            events.append(_EventRecord(len(events), event, text, pending))
            pending = []
            parent = digest
        if pending:
            self.fail("end of archive", f"{len(pending)} data records after the last event")
        if self.report.failures:
            raise _Invalid()
        return events

    def check_order(self, events: list[_EventRecord]) -> None:
        """Setup, Ballot*, then EndBallots, EncryptedTally, PartialDecryption*, Result, each
        needing the one before it (only ballots and decryptions may be absent or repeated)."""
        last = -1
        seen: set[str] = set()
        for e in events:
            kind = e.event.type
            if kind not in _ORDER:
                raise self.stop(e.where, "event type not supported (non-homomorphic)")
            rank = _ORDER[kind]
            if (
                (kind == "Setup") != (e.number == 0)
                or rank < last
                or (rank == last and kind not in ("Ballot", "PartialDecryption"))
            ):
                raise self.stop(e.where, "event out of order")
            missing = _PREREQUISITE.get(kind)
            if missing is not None and missing not in seen:
                raise self.stop(e.where, f"event out of order: no {missing} event before it")
            seen.add(kind)
            last = rank

    # -- setup --------------------------------------------------------------------------------

    def check_setup(self, e: _EventRecord) -> tuple[Election, list[Trustee], PublicCredentials]:
        election_r, trustees_r, creds_r, setup_r = e.data
        try:
            setup = expect_object(
                loads(setup_r.body), "setup data", ("election", "trustees", "credentials")
            )
            if dumps(setup) != setup_r.body.decode() or list(setup) != [
                "election",
                "trustees",
                "credentials",
            ]:
                self.fail(e.where, "setup data: non-canonical JSON")
            for key, r in (
                ("election", election_r),
                ("trustees", trustees_r),
                ("credentials", creds_r),
            ):
                if expect_str(setup.get(key), key) != sha256_hex(r.body):
                    self.fail(e.where, f"setup data: {key} hash does not match")
            election = parse_election(election_r.body.decode())
        except (FormatError, UnicodeDecodeError) as exc:
            raise self.stop(e.where, f"election: {exc}") from exc
        self.report.uuid = election.uuid
        try:
            trustees = parse_trustees(loads(trustees_r.body))
            credentials_json = loads(creds_r.body)
            credentials = parse_public_credentials(credentials_json)
        except FormatError as exc:
            raise self.stop(e.where, str(exc)) from exc
        if dumps(credentials_json) != creds_r.body.decode():
            self.fail(e.where, "public credentials: non-canonical JSON")
        trustee_id = 1
        for t in trustees:
            if isinstance(t, TrusteePublicKey):
                if not check_single(t):
                    self.fail(e.where, f"trustee {trustee_id}: public key or proof of knowledge")
                trustee_id += 1
            else:
                for failure in check_pedersen(t):
                    self.fail(
                        e.where,
                        f"threshold trustees {trustee_id}–"
                        f"{trustee_id + len(t.verification_keys) - 1}: {failure}",
                    )
                trustee_id += len(t.verification_keys)
        if not self.report.failures and election_public_key(trustees) != election.public_key:
            self.fail(e.where, "election public key is not the product of the trustees' keys")
        if self.report.failures:
            raise _Invalid()
        return election, trustees, credentials

    # -- ballots ------------------------------------------------------------------------------

    def check_ballots(
        self, election: Election, credentials: PublicCredentials, events: list[_EventRecord]
    ) -> tuple[EncryptedTally, int, int]:
        ballot_events = [e for e in events if e.event.type == "Ballot"]
        self.report.ballots = len(ballot_events)
        raws: list[str] = []
        for e in ballot_events:
            try:
                raws.append(e.data[0].body.decode())
            except UnicodeDecodeError:
                raws.append("")
        progress = None
        if self.on_progress:
            done = [0]
            total = len(raws)
            callback = self.on_progress

            def progress(n: int) -> None:
                done[0] += n
                callback(self.report.path, done[0], total)

        seen: set[str] = set()
        last_by_credential: dict[Element, tuple[tuple[tuple[Element, Element], ...], ...]] = {}
        for verdict in check_ballots(election, raws, self.jobs, progress):
            e = ballot_events[verdict.index]
            where = f"{e.where}, ballot {sha256_hex(raws[verdict.index])[:16]}…"
            if verdict.failure is not None or verdict.credential is None:
                self.fail(where, verdict.failure or "ballot check failed")
                continue
            digest = e.event.payload or ""
            if digest in seen:
                self.fail(where, "the same ballot appears twice")
            seen.add(digest)
            if verdict.credential not in credentials.weights:
                self.fail(where, "credential not in the public credential list")
                continue
            # Revote: the last ballot of a credential counts (§5 Acceptance).
            last_by_credential.pop(verdict.credential, None)
            last_by_credential[verdict.credential] = verdict.choices
        tally = empty_tally(election)
        total_weight = 0
        for cred, choices in last_by_credential.items():
            weight = credentials.weights[cred]
            total_weight += weight
            ciphertexts = [[Ciphertext(a, b) for a, b in question] for question in choices]
            tally = add_choices(tally, ciphertexts, weight)
        return tally, len(last_by_credential), total_weight

    # -- tally, decryptions, result -------------------------------------------------------------

    def check_tally(
        self, e: _EventRecord, recomputed: EncryptedTally, count: int, weight: int
    ) -> tuple[EncryptedTally, int]:
        tally_r, sized_r = e.data
        try:
            text = tally_r.body.decode()
            published = tally_of_json(loads(text))
            num, total, digest = parse_sized_tally(loads(sized_r.body))
        except (FormatError, UnicodeDecodeError) as exc:
            raise self.stop(e.where, f"encrypted tally: {exc}") from exc
        if dumps(tally_to_json(published)) != text:
            self.fail(e.where, "encrypted tally: non-canonical JSON")
        if not all(c.is_valid() for q in published for c in q):
            raise self.stop(e.where, "encrypted tally: not group elements")
        if published != recomputed:
            self.fail(e.where, "published encrypted tally differs from the tally of the ballots")
        if digest != sha256_hex(tally_r.body):
            self.fail(e.where, "sized tally: hash of the encrypted tally does not match")
        if num != count:
            self.fail(e.where, f"sized tally: num_tallied {num}, the ballots give {count}")
        if total != weight:
            self.fail(e.where, f"sized tally: total_weight {total}, the ballots give {weight}")
        self.report.tallied = count
        return published, total

    def check_decryptions(
        self,
        election: Election,
        trustees: list[Trustee],
        tally: EncryptedTally,
        events: list[_EventRecord],
    ) -> dict[int, PartialDecryption]:
        keys = _trustee_keys(trustees)
        out: dict[int, PartialDecryption] = {}
        for e in events:
            if e.event.type != "PartialDecryption":
                continue
            pd_r, owned_r = e.data
            try:
                owned = expect_object(loads(owned_r.body), "owned", ("owner", "payload"))
                owner = owned.get("owner")
                if (
                    isinstance(owner, bool)
                    or not isinstance(owner, int)
                    or not 1 <= owner <= len(keys)
                ):
                    raise FormatError(f"owner {owner!r} is not a trustee id")
                if owned.get("payload") != sha256_hex(pd_r.body):
                    raise FormatError("owned payload is not the hash of the partial decryption")
                pd = PartialDecryption.of_json(loads(pd_r.body))
            except FormatError as exc:
                self.fail(e.where, str(exc))
                continue
            where = f"{e.where}, trustee {owner}"
            if dumps(pd.to_json()) != pd_r.body.decode() or dumps(owned) != owned_r.body.decode():
                self.fail(where, "non-canonical JSON")
            if owner in out:
                self.fail(where, "a second partial decryption from the same trustee")
                continue
            failure = check_partial_decryption(election, tally, keys[owner - 1], pd)
            if failure:
                self.fail(where, failure)
                continue
            out[owner] = pd
        return out

    def check_result(
        self,
        e: _EventRecord,
        election: Election,
        trustees: list[Trustee],
        tally: EncryptedTally,
        total_weight: int,
        decryptions: dict[int, PartialDecryption],
    ) -> None:
        try:
            text = e.data[0].body.decode()
            result = parse_result(loads(text))
        except (FormatError, UnicodeDecodeError) as exc:
            raise self.stop(e.where, f"result: {exc}") from exc
        self.report.result = result
        if dumps(result_to_json(result)) != text:
            self.fail(e.where, "result: non-canonical JSON")
        try:
            factors = combine_factors(election, tally, trustees, decryptions)
        except CombinationError as exc:
            raise self.stop(e.where, f"combination of partial decryptions: {exc}") from exc
        if [len(q) for q in result] != [len(q) for q in tally]:
            raise self.stop(e.where, "result: shape differs from the tally")
        for i, (slots, fs, counts) in enumerate(zip(tally, factors, result, strict=True)):
            for j, (c, f, count) in enumerate(zip(slots, fs, counts, strict=True)):
                # check_result (§8): g^count = β / F, with 0 ≤ count ≤ total weight.
                if not 0 <= count <= total_weight or GROUP.mul_base(count) != GROUP.div(c.beta, f):
                    self.fail(
                        e.where,
                        f"result: question {i + 1} slot {j + 1} does not decrypt to {count}",
                    )

    # -- driver ---------------------------------------------------------------------------------

    def run(self, data: bytes) -> Report:
        try:
            records = read_records(data)
            if not records:
                raise ArchiveError("empty archive")
            parse_header(records[0])
        except ArchiveError as exc:
            self.report.readable = False
            self.fail("archive", str(exc))
            return self.report
        try:
            self._run(records)
        except _Invalid:
            pass  # the failure that stopped the dependent checks is already in the report
        except ValueError as exc:  # every data error of the core is a ValueError subclass
            self.fail(f"stage {self.report.stage}", f"malformed data: {exc}")
        return self.report

    def _run(self, records: list[Record]) -> None:
        events = self.read_events(records)
        if not events:
            raise self.stop("archive", "no Setup event")
        self.check_order(events)
        election, trustees, credentials = self.check_setup(events[0])
        self.report.stage = "setup"
        recomputed, count, weight = self.check_ballots(election, credentials, events)
        kinds = {e.event.type for e in events}
        self.report.stage = "ballots" if "EndBallots" not in kinds else "closed"
        tally_event = next((e for e in events if e.event.type == "EncryptedTally"), None)
        if tally_event is None:
            return
        self.report.stage = "tallied"
        tally, total_weight = self.check_tally(tally_event, recomputed, count, weight)
        decryptions = self.check_decryptions(election, trustees, tally, events)
        result_event = next((e for e in events if e.event.type == "Result"), None)
        if result_event is not None:
            self.report.stage = "result"
            self.check_result(result_event, election, trustees, tally, total_weight, decryptions)


def _trustee_keys(trustees: list[Trustee]) -> list[Element]:
    keys: list[Element] = []
    for t in trustees:
        if isinstance(t, ThresholdParameters):
            keys.extend(v.public_key for v in t.verification_keys)
        else:
            keys.append(t.public_key)
    return keys


def verify_archive(
    path: str,
    jobs: int | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> Report:
    """Check the archive at ``path`` completely; never raises on bad content."""
    verifier = ArchiveVerifier(path, jobs or os.cpu_count() or 1, on_progress)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        verifier.report.readable = False
        verifier.fail("archive", f"cannot read: {exc.strerror}")
        return verifier.report
    return verifier.run(data)


__all__ = ["Failure", "Report", "verify_archive"]
