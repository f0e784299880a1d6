"""Faults under load, the long form of tests/faults/test_surge_faults.py (issue 21, item 5):

    .venv/bin/python bench/bench_faults.py [--voters N] [--scrutins S] [--down SECONDS]
        [--relay-down SECONDS] [--kill-every SECONDS] [--threads T] [--only db,kill,smtp]

On a private PostgreSQL cluster it creates (tests/pgcluster.py: initdb in a temporary
folder, its own port, run as ``nobody``), gunicorn serving the site with production's
connection handling, ``--threads`` voters' threads posting every cast over HTTP and two
reading the voters' pages in French and English (tests/faults/surgekit.py), three runs:

- db: the server stopped (``pg_ctl stop -m immediate``) once a third of the casts are
  answered, started again ``--down`` seconds later;
- kill: a gunicorn worker SIGKILLed every ``--kill-every`` seconds;
- smtp: the SMTP relay (aiosmtpd) down for ``--relay-down`` seconds (five minutes by
  default) with the outbox's production retry timing (30 s doubling, five tries), the
  opening campaign started meanwhile, the retry sweep running as the task worker runs it.

Each run prints what the clients met (answers by kind), how long the platform answered 503
and how long after the restart casts were answered again, then the stores' invariants
(ballots = émargements = voters per scrutin, every receipt answered 200 in the urn, the
archive verifying) and, for smtp, the mails the relay received (each receipt and opening
mail once) and when the last went out. Nothing is asserted on timings."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "faults"), str(ROOT / "tests"), str(ROOT / "src")]

from surgekit import Load, Relay, Surge, database_restart, relay_down, worker_kills  # noqa: E402

from pgcluster import cluster_folder  # noqa: E402


def _summary(name: str, load: Load, checked: dict, extra: str = "") -> None:
    scrutins = ", ".join(
        f"{v['ballots']} ballots = {v['emargements']} émargements"
        for v in checked["scrutins"].values()
    )
    print(f"{name}: {len(load.receipts)} casts answered 200 in {load.seconds:.1f} s; {extra}")
    print(f"  answers: {dict(sorted(load.counts.items()))}")
    print(f"  stores: {scrutins}; {checked['receipts']} receipts all in the urn, archives valid")
    print(f"  outbox: {checked['outbox']}")
    if load.errors:
        print(f"  ERRORS: {load.errors[:5]}")


def run_db(surge: Surge, args: argparse.Namespace) -> None:
    world = surge.world_make(voters=args.voters, scrutins=args.scrutins)
    server = surge.serve(threads=4)
    workers = sorted(server.worker_pids())
    outages: list[tuple[float, float]] = []
    load = Load(server, world, threads=args.threads).run(
        database_restart(surge.cluster, after=1 / 3, down=args.down, log=outages)
    )
    stopped, back = outages[0]
    after = sorted(t for t in load.answered_at.values() if t > back)
    first = f"{after[0] - back:.2f} s" if after else "never"
    same = sorted(server.worker_pids()) == workers
    five = "Internal Server Error" in surge.server_log()
    extra = (
        f"server down {back - stopped:.1f} s; first cast answered {first} after the restart; "
        f"same workers after: {same}; a 500 in the log: {five}"
    )
    _summary("db", load, surge.check(load), extra)


def run_kill(surge: Surge, args: argparse.Namespace) -> None:
    world = surge.world_make(voters=args.voters, scrutins=args.scrutins)
    server = surge.serve(threads=4)
    kills: list[int] = []
    load = Load(server, world, threads=args.threads).run(
        worker_kills(server, every=args.kill_every, log=kills)
    )
    five = "Internal Server Error" in surge.server_log()
    _summary("kill", load, surge.check(load), f"{len(kills)} workers SIGKILLed; a 500: {five}")


def run_smtp(surge: Surge, args: argparse.Namespace) -> None:
    relay = Relay()
    world = surge.world_make(voters=args.voters, scrutins=args.scrutins)
    server = surge.serve(threads=4, URNE_SMTP_PORT=str(relay.port))  # production's retry
    started = time.monotonic()
    try:
        surge.child("campaign", str(world["election"]))
        sweeper = surge.child_start("sweep", str(args.relay_down + 1800))
        back: list[float] = []
        load = Load(server, world, threads=args.threads).run(
            relay_down(relay, seconds=args.relay_down, log=back)
        )
        sweeper.communicate(timeout=args.relay_down + 3600)
        done = time.monotonic()
    finally:
        relay.stop()
    answered = set(load.receipts.values())
    receipts = Counter(t for *_, text in relay.messages for t in answered if t in text)
    openings = Counter(
        rcpt for _, rcpt, text in relay.messages if not any(t in text for t in answered)
    )
    extra = (
        f"relay down {back[0] - started:.0f} s; the last mail went out {done - back[0]:.0f} s "
        f"after it came back; receipts received {sum(receipts.values())} "
        f"(distinct {len(receipts)}, missing {len(answered - set(receipts))}), opening mails "
        f"{sum(openings.values())} (distinct {len(openings)} of {len(world['emails'])})"
    )
    _summary("smtp", load, surge.check(load), extra)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=300)
    parser.add_argument("--scrutins", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--down", type=float, default=10.0)
    parser.add_argument("--kill-every", type=float, default=3.0)
    parser.add_argument("--relay-down", type=float, default=300.0)
    parser.add_argument("--only", default="db,kill,smtp")
    args = parser.parse_args()
    runs = {"db": run_db, "kill": run_kill, "smtp": run_smtp}
    with cluster_folder("urne-bench-faults-") as folder:
        started = time.monotonic()
        surge = Surge(folder)
        print(f"private cluster on port {surge.cluster.port}, migrated in "
              f"{time.monotonic() - started:.0f} s; {args.voters} voters × {args.scrutins} "
              f"scrutins a run")  # fmt: skip
        try:
            for name in args.only.split(","):
                runs[name](surge, args)
        finally:
            surge.close()


if __name__ == "__main__":
    main()
