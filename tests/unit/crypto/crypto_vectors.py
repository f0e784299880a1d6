"""The belenios-tool 3.0 known-answer vector set, parsed (see its ``MANIFEST.md``).

They live in ``tests/data/belenios-3.0-ed25519-threshold/``: data that belenios-tool 3.0 made,
with every private input (``make.sh`` and ``commands.log`` there say how).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from urne.crypto.ballot import Ballot, parse_ballot
from urne.crypto.election import Election, parse_election
from urne.crypto.tally import PartialDecryption
from urne.crypto.trustees import Trustee, parse_trustees

VECTORS = Path(__file__).resolve().parents[2] / "data" / "belenios-3.0-ed25519-threshold"


def read_text(path: Path) -> str:
    """A file as belenios-tool reads it: without its final newline."""
    text = path.read_text(encoding="utf-8")
    return text[:-1] if text.endswith("\n") else text


@dataclass(frozen=True)
class VectorSet:
    """The belenios-tool 3.0 vector set, parsed."""

    root: Path
    uuid: str
    election: Election
    trustees: list[Trustee]
    trustees_text: str
    ballot_texts: list[str]
    ballots: list[Ballot]
    tally_text: str
    sized_text: str
    result_text: str

    @property
    def archive(self) -> Path:
        return self.root / f"{self.uuid}.bel"

    @property
    def setup_only(self) -> Path:
        return self.root / "archive-setup-only" / f"{self.uuid}.bel"

    def partial_decryption(self, trustee_id: int) -> tuple[str, PartialDecryption]:
        text = read_text(self.root / "tally" / f"partial_decryption.trustee-{trustee_id}.json")
        return text, PartialDecryption.of_json(json.loads(text))

    def trackers(self) -> list[list[str]]:
        lines = read_text(self.root / "ballots" / "trackers.tsv").splitlines()
        return [line.split("\t") for line in lines[1:]]

    def shares(self) -> list[list[str]]:
        lines = read_text(self.root / "trustees" / "threshold" / "shares.tsv").splitlines()
        return [line.split("\t") for line in lines[1:]]


def load_vectors() -> VectorSet:
    uuid = read_text(VECTORS / "uuid.txt").strip()
    election = parse_election(read_text(VECTORS / "setup" / "election.json"))
    trustees_text = read_text(VECTORS / "setup" / "trustees.json")
    ballot_files = sorted((VECTORS / "ballots").glob("[0-9][0-9][0-9].json"))
    ballot_texts = [read_text(p) for p in ballot_files]
    return VectorSet(
        root=VECTORS,
        uuid=uuid,
        election=election,
        trustees=parse_trustees(json.loads(trustees_text)),
        trustees_text=trustees_text,
        ballot_texts=ballot_texts,
        ballots=[parse_ballot(t) for t in ballot_texts],
        tally_text=read_text(VECTORS / "tally" / "encrypted_tally.json"),
        sized_text=read_text(VECTORS / "tally" / "sized_encrypted_tally.json"),
        result_text=read_text(VECTORS / "result.json"),
    )
