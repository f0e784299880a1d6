"""The count's server side after the last upload, for a national election: 290 scrutins and
1 M ballots (``make bench-count``; figures in docs/benchmarks.md).

    .venv/bin/python bench/bench_count.py [--scrutins 290] [--ballots 1000000] [--db-voters 400]

Part 1, the arithmetic at full scale (no database): each scrutin gets an encrypted tally of
its share of the ballots (the largest scrutin ~30 %, as a national CT; made directly as the
encryption of the counts, which is what the product of the ballots is), the president's and
two delegates' partial decryptions are made (the holders' side, not timed), then what the
server does once the last file arrives is timed step by step: binding and checking the last
file's proofs, the combination (every proof of the three files checked again), the discrete
logs, the seats and the PV's figures.

Part 2, the same step through the services on a database (SQLite files, or PostgreSQL with
``--backend postgres``): the demo election's scrutins, a few ballots each, the count opened,
two holders' files uploaded, then the third upload timed (``decryptions_upload``: parse, bind,
check, store, then every scrutin's result with its émargement check and Result event), then
every scrutin's procès-verbal and the national summary PV generated (``urne.count.pv_pdf``).

Part 3, the count's opening at scale: the tally recomputed from the ballots runs at the rate
measured here on real ballots, times the ballots of the largest scrutin.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from urne.ceremony import (  # noqa: E402
    SeededRandom,
    list_question,
    make_ballot,
    threshold_ceremony,
    uuid_token,
)
from urne.counting.pv import pv_figures  # noqa: E402
from urne.counting.seats import ListVotes  # noqa: E402
from urne.crypto.ballot import parse_ballot  # noqa: E402
from urne.crypto.credentials import generate_credential  # noqa: E402
from urne.crypto.election import make_election  # noqa: E402
from urne.crypto.primitives import encrypt  # noqa: E402
from urne.crypto.tally import (  # noqa: E402
    add_ballot,
    combine_factors,
    compute_partial_decryption,
    compute_result,
    empty_tally,
    partial_decryption_owner,
)
from urne.crypto.trustees import election_public_key, generate_single_key  # noqa: E402


def split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` ballots over ``parts`` scrutins: one of ~30 %, the rest decreasing."""
    big = total * 3 // 10
    weights = [1 / (i + 1) for i in range(parts - 1)]
    rest = total - big
    sizes = [int(rest * w / sum(weights)) for w in weights]
    sizes[0] += rest - sum(sizes)
    return [big, *sizes]


def part_arithmetic(scrutins: int, ballots: int) -> dict[str, float | int]:
    rng = random.Random(2018)
    rnd = SeededRandom("bench-count")
    president_key, president = generate_single_key(rnd.scalar)
    group = threshold_ceremony(3, 2, rnd)
    trustees = [president, group.params]
    public = election_public_key(trustees)
    sizes = split(ballots, scrutins, rng)
    worlds = []
    for n, size in enumerate(sizes):
        lists = rng.randint(2, 8)
        election = make_election(
            uuid=uuid_token(rnd),
            name=f"scrutin {n}",
            description="bench",
            public_key=public,
            questions=[list_question(lists)],
        )
        counts = [0] * (lists + 1)
        for _ in range(min(size, 2000)):
            counts[rng.randrange(lists + 1)] += 1
        scale = size / max(1, sum(counts))
        counts = [int(c * scale) for c in counts]
        counts[1] += size - sum(counts)
        tally = ((tuple(encrypt(public, rnd.scalar(), c) for c in counts)),)
        worlds.append((election, tally, counts, size))
    start = time.perf_counter()
    files = []
    for election, tally, _, _ in worlds:
        files.append(
            {
                1: compute_partial_decryption(election, tally, president_key, rnd.scalar),
                2: compute_partial_decryption(election, tally, group.share(1), rnd.scalar),
                3: compute_partial_decryption(election, tally, group.share(2), rnd.scalar),
            }
        )
    holders = time.perf_counter() - start
    timing = {"bind_check": 0.0, "combine": 0.0, "dlog": 0.0, "seats_pv": 0.0}
    slots = 0
    for (election, tally, counts, size), pds in zip(worlds, files, strict=True):
        slots += len(counts)
        t0 = time.perf_counter()
        owner, failure = partial_decryption_owner(election, tally, trustees, pds[3])
        assert owner == 3 and failure is None
        t1 = time.perf_counter()
        factors = combine_factors(election, tally, trustees, pds)
        t2 = time.perf_counter()
        result = compute_result(tally, factors, size)
        assert result[0] == counts
        t3 = time.perf_counter()
        lists = [ListVotes(name=f"L{i}", votes=v, candidates=10) for i, v in enumerate(counts[1:])]
        pv_figures(
            registered=size * 2, voters=size, blank=counts[0], lists=lists, seats=10, seed="s"
        )
        t4 = time.perf_counter()
        timing["bind_check"] += t1 - t0
        timing["combine"] += t2 - t1
        timing["dlog"] += t3 - t2
        timing["seats_pv"] += t4 - t3
    return {
        "scrutins": scrutins,
        "ballots": ballots,
        "largest_scrutin": sizes[0],
        "slots": slots,
        "holders_three_files_s": round(holders, 2),
        **{f"{k}_s": round(v, 3) for k, v in timing.items()},
        "server_total_s": round(sum(timing.values()), 3),
    }


def part_opening_rate(sample: int = 2000) -> dict[str, float]:
    rnd = SeededRandom("bench-open")
    _, tpk = generate_single_key(rnd.scalar)
    election = make_election(
        uuid=uuid_token(rnd),
        name="open",
        description="bench",
        public_key=election_public_key([tpk]),
        questions=[list_question(5)],
    )
    texts = []
    for i in range(sample):
        vector = [0] * 6
        vector[i % 6] = 1
        texts.append(
            make_ballot(election, generate_credential(rnd.choice), [vector], str(i)).to_string()
        )
    start = time.perf_counter()
    tally = empty_tally(election)
    for t in texts:
        tally = add_ballot(tally, parse_ballot(t))
    elapsed = time.perf_counter() - start
    return {"ballots_per_s": round(sample / elapsed), "sample": sample}


def part_services(backend: str, voters: int) -> dict[str, float | int | str]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-count-"))
    env = {"URNE_VAR": str(tmp), "DJANGO_SETTINGS_MODULE": "urne.site.settings.dev"}
    if backend == "postgres":
        import psycopg

        prefix = "urne_bench_count"
        env |= {"URNE_DB": "postgres", "URNE_DB_PREFIX": prefix}
        with psycopg.connect("host=127.0.0.1 dbname=postgres user=root", autocommit=True) as c:
            for suffix in ("voters", "authority", "urn"):
                c.execute(f'DROP DATABASE IF EXISTS "{prefix}_{suffix}"')
                c.execute(f'CREATE DATABASE "{prefix}_{suffix}"')
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    from urne.authority.demo import authority_demo
    from urne.count import demo as count_demo
    from urne.count.models import ScrutinCount
    from urne.elections.demo import demo_election_create

    for alias in ("default", "authority", "urn"):
        call_command("migrate", database=alias, verbosity=0)
    election = demo_election_create(voters=voters).election
    authority_demo(election=election, log=lambda _m: None)
    # The demo's count, with the last upload timed: wrap the service the demo calls.
    timed: list[float] = []
    real = count_demo.decryptions_upload

    def upload(**kw: object) -> object:
        start = time.perf_counter()
        out = real(**kw)  # type: ignore[arg-type]
        timed.append(time.perf_counter() - start)
        return out

    count_demo.decryptions_upload = upload  # type: ignore[assignment]
    count_demo.demo_count(ballots=voters, log=lambda _m: None)
    scrutins = ScrutinCount.objects.filter(state="proclaimed").count()
    # The PVs once everything is proclaimed (ADR 0804): every scrutin's, then the national
    # summary, and the reads behind the results page. Independent of the number of ballots
    # (a PV's size follows the lists and the events), so the demo's scrutins measure it.
    from urne.authority.selectors import replacement_codes_issued
    from urne.count.pv_pdf import national_pv_pdf, scrutin_pv_pdf
    from urne.count.results import body_totals, scrutin_results

    start = time.perf_counter()
    results = scrutin_results(election=election)
    totals = body_totals(election=election, results=results)
    reads = time.perf_counter() - start
    start = time.perf_counter()
    issued = replacement_codes_issued(election_id=election.pk)
    pages = [scrutin_pv_pdf(r, issued=issued) for r in results]
    pvs = time.perf_counter() - start
    start = time.perf_counter()
    national = national_pv_pdf(election=election, results=results, totals=totals)
    summary = time.perf_counter() - start
    return {
        "backend": backend,
        "scrutins": scrutins,
        "first_upload_s": round(timed[0], 2),
        "last_upload_with_results_s": round(timed[-1], 2),
        "results_reads_s": round(reads, 2),
        "pv_every_scrutin_s": round(pvs, 2),
        "pv_bytes_mean": sum(len(p) for p in pages) // max(len(pages), 1),
        "pv_national_s": round(summary, 2),
        "pv_national_bytes": len(national),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scrutins", type=int, default=290)
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--db-voters", type=int, default=400)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--only-services", action="store_true", help="part 2 only (the services and the PVs)"
    )
    args = parser.parse_args()
    out: dict[str, object] = {}
    if args.only_services:
        print(json.dumps(part_services(args.backend, args.db_voters)), flush=True)
        return
    out["arithmetic"] = part_arithmetic(args.scrutins, args.ballots)
    print(json.dumps(out["arithmetic"]), flush=True)
    rate = part_opening_rate()
    rate["largest_scrutin_opening_s"] = round(
        out["arithmetic"]["largest_scrutin"] / rate["ballots_per_s"],
        1,  # type: ignore[index]
    )
    out["opening"] = rate
    print(json.dumps(rate), flush=True)
    out["services"] = part_services(args.backend, args.db_voters)
    print(json.dumps(out["services"]), flush=True)


if __name__ == "__main__":
    main()
