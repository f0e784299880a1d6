"""New voter identifiers by SMS in the last hour of the vote (issue 16; ADRs 0600-0602, 0610):
N requests through `urne.portal.replacement.replacement_request` (the page's one service:
voter row lock, NUMEN and birth date, the number's keyed hash, the code replaced in the
authority, the SMS and the e-mail queued, the request row and two audit events), while
dispatch workers send the SMS through smpplib to the tests' real SMPP server
(tests/smsc/smsc.cjs, npm `smpp`) at the gateway's assumed rate, shared by the workers
(`URNE_SMS_RATE_PER_SECOND`, ADR 0602).

    .venv/bin/python bench/bench_sms.py [--requests 10000] [--rate 50] [--spread SECONDS]
        [--request-threads 4] [--dispatchers 2]

By default every request arrives at once (``--spread 0``): the gateway's queue is then the
longest any arrival profile of the same N requests can make, so its p99 bounds that of N
requests spread over the last hour. Measured per SMS: from the request's arrival to the
gateway's acceptance (``submit_sm_resp``), and from the request accepted (its commit: the voter
sees the green message) to the gateway's acceptance. On fresh PostgreSQL databases
(``test_urne_bench_sms_*``; URNE_DB_HOST / URNE_DB_USER as for the tests)."""

import argparse
import os
import queue
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "urne.site.settings.test")
os.environ.setdefault("URNE_DB", "postgres")
os.environ.setdefault("URNE_DB_HOST", "127.0.0.1")
os.environ.setdefault("URNE_DB_USER", "root")
os.environ["URNE_DB_PREFIX"] = "urne_bench_sms"


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=50.0, help="the gateway's SMS/s")
    parser.add_argument("--spread", type=float, default=0.0, help="arrivals over S seconds")
    parser.add_argument("--request-threads", type=int, default=4)
    parser.add_argument("--dispatchers", type=int, default=2)
    parser.add_argument("--profile", action="store_true", help="profile 100 requests alone")
    args = parser.parse_args()

    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.db import connection, connections
    from django.test.utils import setup_databases, setup_test_environment

    logging.getLogger("django.tasks").setLevel(logging.WARNING)
    logging.getLogger("urne.messaging.services").setLevel(logging.ERROR)
    logging.getLogger("smpplib").setLevel(logging.ERROR)
    setup_test_environment()
    setup_databases(verbosity=0, interactive=False, aliases=set(connections))

    from django.utils import timezone

    from factories.elections import election_make, scrutin_make, voter_make
    from factories.smsc import Smsc, smpp_settings
    from urne.authority.services import credentials_generate
    from urne.elections.models import Voter
    from urne.messaging import services as messaging
    from urne.messaging.models import SmsMessage
    from urne.portal.replacement import replacement_request

    n = args.requests
    now = timezone.now()
    election = election_make(
        name="Bench SMS",
        style="2018",
        lists_from=now - timedelta(days=20),
        vote_opens=now - timedelta(days=7),
        vote_closes=now + timedelta(hours=1),  # the last hour of the vote
    )
    scrutin_make(election, "CTM")
    template = voter_make(election)
    Voter.objects.bulk_create(
        [
            Voter(
                election=election,
                numen=f"{k:02d}S{k:08d}XY"[:13],
                civility="F",
                last_name=f"NOM{k}",
                first_name="Camille",
                birth_date=template.birth_date,
                email=f"v{k}@ac-bench.fr",
                category=template.category,
                academie="Lyon",
                departement="69",
            )
            for k in range(n - 1)
        ],
        batch_size=2000,
    )
    t = time.perf_counter()
    credentials_generate(election=election, actor="bench")
    print(f"setup: {n} voters, 1 + 4 codes each, generated in {time.perf_counter() - t:.0f} s")

    gateway = Smsc()
    smpp_settings(settings, gateway.port, timeout=10)
    settings.URNE_SMS_RATE_PER_SECOND = args.rate
    settings.URNE_SMS_RECEIPT_WAIT_SECONDS = 0
    # The requests queue their tasks nowhere: the dispatch workers below are the worker.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    connection.close()

    voters = list(Voter.objects.filter(election=election).order_by("pk"))
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        t = time.perf_counter()
        profiler.enable()
        for k, voter in enumerate(voters[:100]):
            replacement_request(
                voter=voter, phone=f"+336{k:08d}", numen=voter.numen, birth_date=voter.birth_date
            )
        profiler.disable()
        print(f"100 requests alone: {(time.perf_counter() - t) * 10:.1f} ms each")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        gateway.stop()
        return
    todo: queue.Queue = queue.Queue()
    for k, voter in enumerate(voters):
        todo.put((k, voter))
    arrivals: dict[int, float] = {}  # SMS id → the request's arrival (epoch seconds)
    errors: list[str] = []
    done = threading.Event()
    started = time.time()

    def requester() -> None:
        try:
            while True:
                try:
                    k, voter = todo.get_nowait()
                except queue.Empty:
                    return
                arrival = started + (args.spread * k / n if args.spread else 0.0)
                ahead = arrival - time.time()
                if ahead > 0:
                    time.sleep(ahead)
                request = replacement_request(
                    voter=voter,
                    phone=f"+336{k:08d}",
                    numen=voter.numen,
                    birth_date=voter.birth_date,
                )
                arrivals[request.sms_id] = arrival
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    def dispatcher() -> None:
        try:
            while not (done.is_set() and not SmsMessage.objects.filter(state="ready").exists()):
                if messaging.sms_dispatch(budget_seconds=30) is None:
                    time.sleep(0.05)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    workers = [threading.Thread(target=dispatcher) for _ in range(args.dispatchers)]
    clients = [threading.Thread(target=requester) for _ in range(args.request_threads)]
    for thread in workers + clients:
        thread.start()
    for thread in clients:
        thread.join()
    accepted_all = time.time()
    done.set()
    for thread in workers:
        thread.join()
    drained = time.time()
    gateway.stop()
    assert not errors, errors[:5]

    rows = list(SmsMessage.objects.values_list("pk", "state", "created_at", "submitted_at"))
    states = {state for _, state, _, _ in rows}
    accepted = gateway.accepted()
    failures = list(SmsMessage.objects.exclude(state="sent").values_list("last_error", flat=True))
    assert states == {"sent"} and len(rows) == n, (states, sorted(set(failures))[:5])
    assert len(accepted) == n and len({a["to"] for a in accepted}) == n  # each once
    from_arrival = [sub.timestamp() - arrivals[pk] for pk, _, _, sub in rows]
    from_commit = [(sub - created).total_seconds() for _, _, created, sub in rows]
    first = min(sub for *_, sub in rows)
    last = max(sub for *_, sub in rows)
    print(
        f"{n} requests ({'all at once' if not args.spread else f'over {args.spread:.0f} s'}), "
        f"{args.request_threads} request threads: all accepted in {accepted_all - started:.0f} s "
        f"= {n / (accepted_all - started):.0f} requests/s"
    )
    print(
        f"gateway at {args.rate:g} SMS/s, {args.dispatchers} dispatch workers: {n} SMS accepted "
        f"once each, the last {drained - started:.0f} s after the first arrival; "
        f"{(n - 1) / (last - first).total_seconds():.1f} SMS/s between the first and the last"
    )
    for label, values in (
        ("request arrival → accepted by the gateway", from_arrival),
        ("request accepted (green message) → accepted by the gateway", from_commit),
    ):
        print(
            f"{label}: p50 {statistics.median(values):.1f} s, p99 "
            f"{_percentile(values, 99):.1f} s, max {max(values):.1f} s"
        )


if __name__ == "__main__":
    main()
