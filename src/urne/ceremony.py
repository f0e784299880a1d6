"""A whole election made offline with the crypto core: key ceremony, setup, ballots, tally,
partial decryptions and result, written as a Belenios archive. Used by ``urne-simulate``,
tests and benchmarks; every step is the real protocol (docs/protocol.md §3–§9)."""

from __future__ import annotations

import random as _random
from collections.abc import Sequence
from dataclasses import dataclass

from urne.crypto.archive import ArchiveWriter
from urne.crypto.ballot import Ballot, create_ballot, parse_ballot
from urne.crypto.credentials import (
    derive_secret,
    generate_credential,
    make_public_credentials,
    public_credential,
)
from urne.crypto.election import BASE58_ALPHABET, Election, HomomorphicQuestion, make_election
from urne.crypto.encoding import dumps
from urne.crypto.group import Q
from urne.crypto.tally import (
    EncryptedTally,
    PartialDecryption,
    combine_factors,
    compute_encrypted_tally,
    compute_partial_decryption,
    compute_result,
    owned_json,
    result_to_json,
    sized_tally_json,
    tally_text,
)
from urne.crypto.threshold import (
    Context,
    Polynomial,
    decrypt_key_share,
    step1,
    step3,
    step4,
    step5,
    step6,
)
from urne.crypto.trustees import (
    ThresholdParameters,
    Trustee,
    TrusteePublicKey,
    election_public_key,
    generate_single_key,
    trustees_to_json,
)


class SeededRandom:
    """Reproducible randomness for simulations (never for a real election)."""

    def __init__(self, seed: int | str) -> None:
        self.rng = _random.Random(seed)

    def scalar(self) -> int:
        return self.rng.randrange(Q)

    def choice(self, alphabet: str) -> str:
        return self.rng.choice(alphabet)


@dataclass(frozen=True)
class ThresholdGroup:
    """The outcome of a threshold key ceremony, with every member's private files."""

    params: ThresholdParameters
    seeds: tuple[str, ...]
    certs: tuple[str, ...]
    polynomials: tuple[Polynomial, ...]
    dkeys: tuple[str, ...]

    def share(self, member: int) -> int:
        """Member ``member``'s (1-based) decryption-key share, opened from its dkey."""
        return decrypt_key_share(self.seeds[member - 1], self.dkeys[member - 1])


def threshold_ceremony(members: int, threshold: int, rnd: SeededRandom) -> ThresholdGroup:
    """Steps 1–6 of the threshold key generation for ``members`` members (§6.2)."""
    firsts = [
        step1(Context(i, threshold, members), rnd.choice, rnd.scalar) for i in range(1, members + 1)
    ]
    seeds = tuple(seed for seed, _ in firsts)
    certs = [cert for _, cert in firsts]
    polynomials = tuple(step3(certs, seed, rnd.scalar) for seed in seeds)
    vinputs = step4(certs, polynomials)
    voutputs = [step5(certs, seed, vi, rnd.scalar) for seed, vi in zip(seeds, vinputs, strict=True)]
    params, dkeys = step6(certs, polynomials, voutputs)
    return ThresholdGroup(
        params, seeds, tuple(dumps(c.to_json()) for c in certs), polynomials, tuple(dkeys)
    )


def uuid_token(rnd: SeededRandom) -> str:
    """A 14-character base58 election uuid (``setup generate-token``, §3)."""
    return "".join(rnd.choice(BASE58_ALPHABET) for _ in range(14))


def list_question(lists: int) -> HomomorphicQuestion:
    """The professional-election question: one list among ``lists``, or blank."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    answers = tuple(
        f"Liste {letters[i % 26]}{'' if i < 26 else i // 26} – Union {i + 1}" for i in range(lists)
    )
    return HomomorphicQuestion("Pour quelle liste votez-vous ?", answers, 1, 1, blank=True)


@dataclass
class SimulatedElection:
    """Everything ``urne-simulate`` writes: public data and the private side files."""

    election: Election
    trustees: list[Trustee]
    president_key: int
    president: TrusteePublicKey
    group: ThresholdGroup
    credentials: dict[str, str]
    public_credentials_json: list[str]
    plaintexts: list[list[list[int]]]
    ballots: list[str]
    archive: ArchiveWriter
    setup_only: bytes
    tally: EncryptedTally | None = None
    result: list[list[int]] | None = None


def make_setup(
    *, voters: int, lists: int, seed: int | str, members: int = 3, threshold: int = 2
) -> SimulatedElection:
    """Key ceremony, credentials and election parameters (§3, §4, §6)."""
    rnd = SeededRandom(seed)
    president_key, president = generate_single_key(rnd.scalar)
    group = threshold_ceremony(members, threshold, rnd)
    trustees: list[Trustee] = [president, group.params]
    uuid = uuid_token(rnd)
    election = make_election(
        uuid=uuid,
        name="Élection simulée – scrutin de liste",
        description=f"Simulation : {voters} électeurs, {lists} listes et le vote blanc.",
        public_key=election_public_key(trustees),
        questions=[list_question(lists)],
    )
    credentials = {f"voter{i:06d}": generate_credential(rnd.choice) for i in range(1, voters + 1)}
    public = make_public_credentials(public_credential(uuid, c) for c in credentials.values())
    writer = ArchiveWriter(timestamp=1_790_000_000)
    writer.setup(election.raw, dumps(trustees_to_json(trustees)), dumps(public.to_json()))
    return SimulatedElection(
        election=election,
        trustees=trustees,
        president_key=president_key,
        president=president,
        group=group,
        credentials=credentials,
        public_credentials_json=public.to_json(),
        plaintexts=[],
        ballots=[],
        archive=writer,
        setup_only=writer.to_bytes(),
    )


def random_plaintext(lists: int, rng: _random.Random) -> list[list[int]]:
    """A vote drawn with unequal list sizes and about 5 % blank (slot 0 is blank)."""
    vector = [0] * (lists + 1)
    weights = [5.0] + [float(lists - i) for i in range(lists)]
    vector[rng.choices(range(lists + 1), weights)[0]] = 1
    return [vector]


def make_ballot(
    election: Election, credential: str, plaintext: Sequence[Sequence[int]], seed: str
) -> Ballot:
    """One ballot, with randomness derived from ``seed`` so that runs are reproducible."""
    rnd = SeededRandom(seed)
    return create_ballot(election, derive_secret(election.uuid, credential), plaintext, rnd.scalar)


def tally_and_decrypt(
    sim: SimulatedElection, members: Sequence[int] = (1, 2), seed: str = ""
) -> None:
    """Close the ballot box, tally, decrypt (president + ``members``) and publish the result."""
    rnd = SeededRandom(f"{seed}/tally")
    parsed = [(parse_ballot(b), 1) for b in sim.ballots]
    tally, count, total = compute_encrypted_tally(sim.election, parsed)
    text = tally_text(tally)
    sim.archive.end_ballots()
    sim.archive.encrypted_tally(text, dumps(sized_tally_json(text, count, total)))
    decryptions: dict[int, PartialDecryption] = {
        1: compute_partial_decryption(sim.election, tally, sim.president_key, rnd.scalar)
    }
    for m in members:
        decryptions[1 + m] = compute_partial_decryption(
            sim.election, tally, sim.group.share(m), rnd.scalar
        )
    for owner, pd in decryptions.items():
        pd_text = dumps(pd.to_json())
        sim.archive.partial_decryption(pd_text, dumps(owned_json(owner, pd_text)))
    factors = combine_factors(sim.election, tally, sim.trustees, decryptions)
    result = compute_result(tally, factors, total)
    sim.archive.result(dumps(result_to_json(result)))
    sim.tally, sim.result = tally, result
