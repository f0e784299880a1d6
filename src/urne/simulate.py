"""``urne-simulate --voters N --lists K [--seed S] --out DIR``: a complete election archive
(``DIR/<uuid>.bel``) with its side files, for tests and benchmarks.

Trustees: one single key (the president) and a threshold group (default 3 members, 2
needed). Votes are random but reproducible from the seed; ballots are made on all cores.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from urne.ceremony import (
    SimulatedElection,
    make_ballot,
    make_setup,
    random_plaintext,
    tally_and_decrypt,
)
from urne.crypto.election import Election, parse_election
from urne.crypto.encoding import dumps, loads
from urne.crypto.threshold import cert_id
from urne.crypto.trustees import SignedMessage, single_key_id, trustees_to_json

_worker_election: Election | None = None


def _init(raw: str) -> None:
    global _worker_election
    _worker_election = parse_election(raw)


def _ballot(item: tuple[str, list[list[int]], str]) -> str:
    if _worker_election is None:
        raise RuntimeError("worker not initialised")
    credential, plaintext, seed = item
    return make_ballot(_worker_election, credential, plaintext, seed).to_string()


def cast_ballots(sim: SimulatedElection, seed: str, jobs: int, progress: bool = False) -> None:
    """Draw a vote per voter and make the ballots (one per voter, in voter order)."""
    rng = random.Random(f"{seed}/votes")
    lists = len(sim.election.questions[0].answers)
    items = []
    for i, credential in enumerate(sim.credentials.values()):
        plaintext = random_plaintext(lists, rng)
        sim.plaintexts.append(plaintext)
        items.append((credential, plaintext, f"{seed}/ballot/{i}"))
    if jobs > 1 and len(items) > 16:
        ctx = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(
            jobs, mp_context=ctx, initializer=_init, initargs=(sim.election.raw,)
        ) as pool:
            ballots = []
            for n, b in enumerate(pool.map(_ballot, items, chunksize=16), 1):
                ballots.append(b)
                if progress and (n % 50 == 0 or n == len(items)):
                    print(f"\rballots: {n}/{len(items)}", end="", file=sys.stderr, flush=True)
    else:
        _init(sim.election.raw)
        ballots = [_ballot(item) for item in items]
    if progress:
        print(file=sys.stderr)
    for b in ballots:
        sim.ballots.append(b)
        sim.archive.ballot(b)


def expected_counts(sim: SimulatedElection) -> list[list[int]]:
    counts = [[0] * q.size for q in sim.election.questions]
    for plaintext in sim.plaintexts:
        for i, q in enumerate(plaintext):
            for j, v in enumerate(q):
                counts[i][j] += v
    return counts


def _write(path: Path, text: str, private: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")
    if private:
        path.chmod(0o600)


def write_outputs(sim: SimulatedElection, out: Path) -> Path:
    """The archive and side files, named as belenios-tool names them where it has a name."""
    uuid = sim.election.uuid
    archive = out / f"{uuid}.bel"
    archive.write_bytes(sim.archive.to_bytes())
    (out / "archive-setup-only").mkdir(parents=True, exist_ok=True)
    (out / "archive-setup-only" / f"{uuid}.bel").write_bytes(sim.setup_only)
    _write(out / "setup" / "election.json", sim.election.raw)
    _write(out / "setup" / "trustees.json", dumps(trustees_to_json(sim.trustees)))
    _write(out / "setup" / "public_creds.json", dumps(sim.public_credentials_json))
    _write(out / "credentials" / "private_creds.json", dumps(sim.credentials), private=True)
    pid = single_key_id(sim.president)
    _write(
        out / "trustees" / "president" / f"{pid}.privkey", json.dumps(str(sim.president_key)), True
    )
    _write(out / "trustees" / "president" / f"{pid}.pubkey", dumps(sim.president.to_json()))
    tdir = out / "trustees" / "threshold"
    certs = [SignedMessage.of_json(loads(c)) for c in sim.group.certs]
    ids = [cert_id(c) for c in certs]
    for i, (cid, cert, seed, dkey) in enumerate(
        zip(ids, sim.group.certs, sim.group.seeds, sim.group.dkeys, strict=True), 1
    ):
        _write(tdir / f"{cid}.cert", cert)
        _write(tdir / f"{cid}.key", seed, private=True)
        _write(tdir / f"{cid}.dkey", dkey, private=True)
        _write(tdir / f"member-{i}.id", cid)
    _write(tdir / "certs.jsons", "\n".join(sim.group.certs))
    _write(tdir / "polynomials.jsons", "\n".join(dumps(p.to_json()) for p in sim.group.polynomials))
    _write(tdir / "threshold.json", dumps(sim.group.params.to_json()))
    bdir = out / "ballots"
    bdir.mkdir(parents=True, exist_ok=True)
    for i, b in enumerate(sim.ballots, 1):
        (bdir / f"{i:06d}.json").write_text(b + "\n")
    _write(out / "ballots" / "choices.jsonl", "\n".join(dumps(p) for p in sim.plaintexts))
    _write(out / "expected_result.json", dumps({"result": expected_counts(sim)}))
    if sim.result is not None:
        _write(out / "result.json", dumps({"result": sim.result}))
    return archive


def simulate(
    *,
    voters: int,
    lists: int,
    seed: str,
    out: Path,
    members: int = 3,
    threshold: int = 2,
    jobs: int = 1,
    tally: bool = True,
    progress: bool = False,
) -> SimulatedElection:
    sim = make_setup(voters=voters, lists=lists, seed=seed, members=members, threshold=threshold)
    cast_ballots(sim, seed, jobs, progress)
    if tally:
        tally_and_decrypt(sim, members=tuple(range(1, threshold + 1)), seed=seed)
    out.mkdir(parents=True, exist_ok=True)
    write_outputs(sim, out)
    return sim


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="urne-simulate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, required=True)
    parser.add_argument("--lists", type=int, required=True)
    parser.add_argument("--seed", default=None, help="reproducible run (default: random)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--members", type=int, default=3, help="threshold group size")
    parser.add_argument("--threshold", type=int, default=2, help="members needed to decrypt")
    parser.add_argument("--no-tally", action="store_true", help="stop after the ballots")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    if args.voters < 1 or args.lists < 1:
        parser.error("--voters and --lists must be at least 1")
    if not 1 <= args.threshold < args.members:
        parser.error("the threshold must satisfy 1 ≤ threshold < members (Belenios needs t < n)")
    seed = args.seed if args.seed is not None else os.urandom(8).hex()
    started = time.perf_counter()
    sim = simulate(
        voters=args.voters,
        lists=args.lists,
        seed=seed,
        out=args.out,
        members=args.members,
        threshold=args.threshold,
        jobs=args.jobs,
        tally=not args.no_tally,
        progress=sys.stderr.isatty(),
    )
    elapsed = time.perf_counter() - started
    print(
        f"{args.out / (sim.election.uuid + '.bel')}: {args.voters} ballots, "
        f"result {sim.result}, {elapsed:.1f} s (seed {seed})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
