"""Build complete election archives and rebuild altered copies of them, for the archive and
mutation tests.

An archive is read back as a list of :class:`Step` (event type + the texts of its data
records); :func:`rebuild` writes the steps again with a correct hash chain (record names,
payloads, parents and heights are recomputed), so a mutation of a text only breaks the check
it aims at. ``event_hook`` alters one event after the fact (height, parent, form).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from urne.ceremony import SimulatedElection, make_ballot, make_setup, tally_and_decrypt
from urne.crypto.archive import (
    Event,
    Record,
    header_record,
    parse_header,
    read_records,
    write_records,
)
from urne.crypto.ballot import parse_ballot
from urne.crypto.credentials import derive_secret
from urne.crypto.election import Election
from urne.crypto.encoding import dumps, sha256_b64, sha256_hex
from urne.crypto.group import GROUP, Q

TIMESTAMP = 1_790_000_000


@dataclass
class Step:
    """One event of an archive: its type and the texts of the data records before it."""

    type: str
    data: list[str] = field(default_factory=list)


def extract(data: bytes) -> tuple[int, list[Step]]:
    """The steps of a valid archive (its events and their data, in order)."""
    records = read_records(data)
    timestamp = parse_header(records[0])
    steps: list[Step] = []
    pending: list[str] = []
    for r in records[1:]:
        text = r.body.decode()
        if r.name.endswith(".data.json"):
            pending.append(text)
        else:
            steps.append(Step(Event.of_text(text).type, pending))
            pending = []
    assert not pending
    return timestamp, steps


EventHook = Callable[[int, Event], str | None]


def rebuild(timestamp: int, steps: Sequence[Step], event_hook: EventHook | None = None) -> bytes:
    """Write ``steps`` as an archive; ``event_hook(i, event)`` may return another text for
    event ``i`` (the chain goes on from the altered event)."""
    records: list[Record] = [header_record(timestamp)]
    parent: str | None = None
    for i, step in enumerate(steps):
        payload = None
        for text in step.data:
            payload = sha256_hex(text)
            records.append(Record(f"{payload}.data.json", text.encode()))
        event = Event(i, step.type, parent, payload)
        body = dumps(event.to_json())
        if event_hook is not None:
            body = event_hook(i, event) or body
        parent = sha256_hex(body)
        records.append(Record(f"{parent}.event.json", body.encode()))
    return write_records(records, timestamp)


def resign(election: Election, ballot: dict, secret: int, w: int = 123456789) -> str:
    """Sign a ballot's JSON again (hash and Schnorr proof, docs/protocol.md §5) with ``secret``,
    so that only the alteration made to its content is wrong."""
    unsigned = {k: v for k, v in ballot.items() if k != "signature"}
    sig_hash = sha256_b64(dumps(unsigned))
    challenge = GROUP.hash_to_scalar(f"sig|{sig_hash}|", [GROUP.mul_base(w)])
    response = (w - secret * challenge) % Q
    signed = dict(unsigned)
    signed["signature"] = {
        "hash": sig_hash,
        "proof": {"challenge": str(challenge), "response": str(response)},
    }
    return dumps(signed)


def one_hot(lists: int, slot: int) -> list[list[int]]:
    """A plaintext for the list question: ``slot`` 0 is blank, 1..lists the lists."""
    vector = [0] * (lists + 1)
    vector[slot] = 1
    return [vector]


@dataclass
class Built:
    """A complete election made with the ceremony helpers."""

    sim: SimulatedElection
    ballots: list[str]
    data: bytes

    @property
    def election(self) -> Election:
        return self.sim.election

    def secret(self, login: str) -> int:
        return derive_secret(self.election.uuid, self.sim.credentials[login])

    def secret_of_ballot(self, raw: str) -> int:
        credential = parse_ballot(raw).credential
        for login in self.sim.credentials:
            secret = self.secret(login)
            if GROUP.mul_base(secret) == credential:
                return secret
        raise KeyError("no voter has this ballot's credential")


def build_election(
    votes: Sequence[tuple[str, list[list[int]]] | str],
    *,
    voters: int = 4,
    lists: int = 3,
    seed: str = "builder",
    members: int = 3,
    threshold: int = 2,
) -> Built:
    """An election of ``voters`` voters (logins ``voter000001``…): ``votes`` are
    ``(login, plaintext)`` pairs, or ready ballot strings, cast in order; the last ballot per
    credential is tallied; president + members 1..threshold decrypt."""
    sim = make_setup(voters=voters, lists=lists, seed=seed, members=members, threshold=threshold)
    ballots = []
    for i, vote in enumerate(votes):
        if isinstance(vote, str):
            ballots.append(vote)
        else:
            login, plaintext = vote
            ballot = make_ballot(sim.election, sim.credentials[login], plaintext, f"{seed}/{i}")
            ballots.append(ballot.to_string())
    last: dict[bytes, str] = {}
    for b in ballots:
        sim.archive.ballot(b)
        credential = parse_ballot(b).credential
        last.pop(credential, None)
        last[credential] = b
    sim.ballots = list(last.values())
    tally_and_decrypt(sim, members=tuple(range(1, threshold + 1)), seed=seed)
    return Built(sim, ballots, sim.archive.to_bytes())


def login(i: int) -> str:
    return f"voter{i:06d}"


def json_of(text: str) -> dict:
    return json.loads(text)
