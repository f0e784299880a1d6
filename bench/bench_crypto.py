"""Crypto benchmark (``make bench-crypto``): ours against belenios-tool 3.0 on one archive.

Prints, for an archive of N ballots (default 1 000) of 9 lists + blank made in this run:
ballot creation, our full verification on one core and on all cores, belenios-tool 3.0's
``election verify`` and ``verify-ballot`` on the same archive, the ratios; the cost of adding
a ballot to a running encrypted tally; and the count of an aggregated tally of 1 M ballots
(partial decryptions with proofs, their checks, combination, discrete log, result).
Nothing is skipped, cached or sampled in the checks that are timed.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from urne.ceremony import SeededRandom, make_setup
from urne.crypto.ballot import parse_ballot
from urne.crypto.credentials import derive_secret
from urne.crypto.group import GROUP
from urne.crypto.primitives import Ciphertext
from urne.crypto.tally import (
    add_choices,
    combine_factors,
    compute_partial_decryption,
    compute_result,
    empty_tally,
)
from urne.simulate import simulate
from urne.verify.checks import verify_archive


def tool() -> str:
    path = os.environ.get("BELENIOS_TOOL") or str(
        Path.home() / ".cache/belenios-tool-3.0/belenios-tool"
    )
    if not Path(path).exists():
        sys.exit(f"belenios-tool 3.0 not found at {path}: run `make install-tools`")
    return path


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def line(label: str, value: str) -> None:
    print(f"  {label:<58} {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=1000)
    parser.add_argument("--lists", type=int, default=9)
    parser.add_argument(
        "--verify-ballot-sample",
        type=int,
        default=30,
        help="belenios-tool verify-ballot runs one process per ballot: time this many",
    )
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    bt = tool()
    work = Path(tempfile.mkdtemp(prefix="urne-bench-"))
    print(f"# urne bench-crypto: {args.ballots} ballots, {args.lists} lists + blank, {cores} cores")

    # 1. ballot creation, one core (every ballot with all its proofs and signature)
    setup = make_setup(voters=50, lists=args.lists, seed="bench-create")
    creds = list(setup.credentials.values())
    rnd = SeededRandom("bench-create-ballots")
    rng = random.Random(1)
    from urne.crypto.ballot import create_ballot

    secrets_ = [derive_secret(setup.election.uuid, c) for c in creds]
    plaintexts = []
    for _ in creds:
        v = [0] * (args.lists + 1)
        v[rng.randrange(args.lists + 1)] = 1
        plaintexts.append([v])
    _, t_create = timed(
        lambda: [
            create_ballot(setup.election, s, p, rnd.scalar)
            for s, p in zip(secrets_, plaintexts, strict=True)
        ]
    )
    create_ms = t_create / len(creds) * 1000
    print("ballot creation")
    line("create one ballot (encrypt, prove, sign), one core", f"{create_ms:.2f} ms")

    # 2. the archive, made with all cores
    out = work / "election"
    sim, t_sim = timed(
        lambda: simulate(voters=args.ballots, lists=args.lists, seed="bench", out=out, jobs=cores)
    )
    archive = out / f"{sim.election.uuid}.bel"
    line(f"urne-simulate, {args.ballots} ballots, {cores} cores, whole election", f"{t_sim:.1f} s")

    # 3. our verification
    print("full verification of the archive (every ballot, tally, decryptions, result)")
    r1, t1 = timed(lambda: verify_archive(str(archive), jobs=1))
    assert r1.valid, r1.failures
    rn, tn = timed(lambda: verify_archive(str(archive), jobs=cores))
    assert rn.valid, rn.failures
    ours1 = t1 / args.ballots * 1000
    oursn = tn / args.ballots * 1000
    line("urne-verify, one core", f"{t1:.2f} s = {ours1:.2f} ms/ballot")
    line(f"urne-verify, {cores} cores", f"{tn:.2f} s = {oursn:.2f} ms/ballot")

    env = {**os.environ, "URNE_GROUP_BACKEND": "libsodium"}
    _, tl = timed(
        lambda: subprocess.run(
            [sys.executable, "-m", "urne.verify.cli", "--jobs", "1", str(archive)],
            env=env,
            capture_output=True,
            check=True,
        )
    )
    line(
        "urne-verify, one core, libsodium only (no native backend)",
        f"{tl:.2f} s = {tl / args.ballots * 1000:.2f} ms/ballot",
    )

    # 4. belenios-tool on the same archive
    done, tb = timed(
        lambda: subprocess.run(
            [bt, "election", "verify", "--dir", str(out)],
            capture_output=True,
            text=True,
            check=False,
        )
    )
    ok = done.returncode == 0 and "all checks passed" in done.stdout + done.stderr
    theirs = tb / args.ballots * 1000
    line(
        "belenios-tool 3.0 election verify" + ("" if ok else " (FAILED)"),
        f"{tb:.2f} s = {theirs:.2f} ms/ballot",
    )
    sample = sorted((out / "ballots").glob("*.json"))[: args.verify_ballot_sample]
    setup_only = out / "archive-setup-only"

    def verify_ballots() -> None:
        for f in sample:
            r = subprocess.run(
                [bt, "election", "verify-ballot", "--dir", str(setup_only), "--ballot", str(f)],
                capture_output=True,
                check=False,
            )
            assert r.returncode == 0, f

    _, tvb = timed(verify_ballots)
    line(
        f"belenios-tool 3.0 verify-ballot (one process each, {len(sample)} ballots)",
        f"{tvb / len(sample) * 1000:.1f} ms/ballot",
    )
    print("ratios (belenios-tool election verify time / ours, per ballot; > 1 means faster)")
    line("one core", f"{theirs / ours1:.2f}x")
    line(f"{cores} cores", f"{theirs / oursn:.2f}x")

    # 5. running tally
    print("running encrypted tally")
    ballots = [parse_ballot(b) for b in sim.ballots]
    choices = [[a.choices for a in b.answers] for b in ballots]
    tally = empty_tally(sim.election)

    def run_tally() -> None:
        t = tally
        for c in choices:
            t = add_choices(t, c)

    _, tt = timed(run_tally)
    line("add one ballot to a running tally", f"{tt / len(choices) * 1000:.3f} ms")

    # 6. the count of an aggregated tally of 1 M ballots
    print("count of an already aggregated tally of 1 000 000 ballots")
    n = 1_000_000
    rng2 = random.Random(7)
    cuts = sorted(rng2.sample(range(1, n), args.lists))
    counts = [b - a for a, b in zip([0, *cuts], [*cuts, n], strict=True)]
    y = sim.election.public_key
    agg = (
        tuple(
            Ciphertext(GROUP.mul_base(r), GROUP.op(GROUP.mul(y, r), GROUP.mul_base(c)))
            for r, c in ((rng2.randrange(1, 2**250), c) for c in counts)
        ),
    )

    def count() -> list[list[int]]:
        pds = {1: compute_partial_decryption(sim.election, agg, sim.president_key)}
        for m in (1, 2):
            pds[1 + m] = compute_partial_decryption(sim.election, agg, sim.group.share(m))
        factors = combine_factors(sim.election, agg, sim.trustees, pds)  # checks every proof
        return compute_result(agg, factors, n)

    result, tc = timed(count)
    assert result == [counts], (result, counts)
    line("3 partial decryptions + checks + combination + dlog + result", f"{tc:.2f} s")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
