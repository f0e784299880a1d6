"""New voter identifiers by SMS in the last hour of the vote (issue 16; ADRs 0600-0602, 0610):
N requests through `urne.portal.replacement.replacement_request` (the page's one service:
voter row lock, NUMEN and birth date, the number's keyed hash, the code replaced in the
authority, the SMS and the e-mail queued, the request row and two audit events), while
dispatch workers send the SMS through smpplib to the tests' real SMPP server
(tests/smsc/smsc.cjs, npm `smpp`) at the gateway's assumed rate, shared by the workers
(`URNE_SMS_RATE_PER_SECOND`, ADR 0602), each worker a process of its own as the task
worker's are.

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
from typing import Any

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
    parser.add_argument("--sample", type=int, default=300, help="burst: requests via the service")
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
    if args.spread:
        live(args, voters, gateway)
    else:
        burst(args, voters, gateway)


def _dispatch_child(port: int, rate: float, done: "Any", errors: "Any") -> None:
    """One dispatch worker in its own process, as `manage.py db_worker` runs it: Django set
    up on the benchmark's test databases, the SMS channel on the test gateway."""
    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.db import connections

    for alias, db in settings.DATABASES.items():
        db["NAME"] = db.get("TEST", {}).get("NAME") or "test_" + db["NAME"]
        connections[alias].settings_dict["NAME"] = db["NAME"]
    logging.getLogger("urne.messaging.services").setLevel(logging.ERROR)
    logging.getLogger("smpplib").setLevel(logging.ERROR)
    from factories.smsc import smpp_settings
    from urne.messaging import services as messaging
    from urne.messaging.models import SmsMessage

    smpp_settings(settings, port, timeout=10)
    settings.URNE_SMS_RATE_PER_SECOND = rate
    settings.URNE_SMS_RECEIPT_WAIT_SECONDS = 0
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    try:
        while not (done.is_set() and not SmsMessage.objects.filter(state="ready").exists()):
            if messaging.sms_dispatch(budget_seconds=30) is None:
                time.sleep(0.05)
    except Exception as error:
        errors.put(repr(error))
    finally:
        connections.close_all()


def _dispatchers(args: "Any", port: int, done: "Any", errors: "Any") -> list["Any"]:
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_dispatch_child, args=(port, args.rate, done, errors))
        for _ in range(args.dispatchers)
    ]
    for proc in procs:
        proc.start()
    return procs


def _joined(procs: list["Any"], errors: "Any") -> None:
    for proc in procs:
        proc.join()
    failed = []
    while not errors.empty():
        failed.append(errors.get())
    assert not failed and all(p.exitcode == 0 for p in procs), failed[:5]


def _requests(args, voters, arrivals, errors, started, *, spread=0.0):
    """Requests through the service from ``args.request_threads`` threads; returns the
    seconds each took."""
    from django.db import connections

    from urne.portal.replacement import replacement_request

    todo: queue.Queue = queue.Queue()
    for k, voter in enumerate(voters):
        todo.put((k, voter))
    took: list[float] = []

    def requester() -> None:
        try:
            while True:
                try:
                    k, voter = todo.get_nowait()
                except queue.Empty:
                    return
                arrival = started + spread * k / len(voters)
                ahead = arrival - time.time()
                if ahead > 0:
                    time.sleep(ahead)
                t = time.time()
                request = replacement_request(
                    voter=voter, phone=f"+336{k:08d}", numen=voter.numen,
                    birth_date=voter.birth_date,
                )  # fmt: skip
                took.append(time.time() - t)
                arrivals[request.sms_id] = max(arrival, t)
        except Exception as error:
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=requester) for _ in range(args.request_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return took


def _check(n, gateway):
    from urne.messaging.models import SmsMessage

    rows = list(SmsMessage.objects.values_list("pk", "state", "created_at", "submitted_at"))
    failures = list(SmsMessage.objects.exclude(state="sent").values_list("last_error", flat=True))
    assert {r[1] for r in rows} == {"sent"} and len(rows) == n, sorted(set(failures))[:5]
    accepted = gateway.accepted()
    assert len(accepted) == n and len({a["to"] for a in accepted}) == n  # each once
    first = min(r[3] for r in rows)
    last = max(r[3] for r in rows)
    return rows, (n - 1) / (last - first).total_seconds()


def _report(label, values):
    print(
        f"{label}: p50 {statistics.median(values):.1f} s, p99 {_percentile(values, 99):.1f} s, "
        f"max {max(values):.1f} s"
    )


def burst(args, voters, gateway) -> None:
    """Every request in the queue at once, the gateway's worst case: a sample through the
    service (its own time measured), the rest written as the service writes them (the code
    replaced in the authority, the SMS row with its sealed number), then the dispatch
    workers start and each SMS's wait is measured from that moment."""
    from django.db import transaction

    from urne.authority.models import CodeSlot
    from urne.messaging.models import SmsMessage
    from urne.messaging.sms_recipients import recipient_seal
    from urne.portal.replacement import SMS_KIND

    n = len(voters)
    sample = voters[: args.sample]
    arrivals: dict[int, float] = {}
    errors: list[str] = []
    t = time.time()
    took = _requests(args, sample, arrivals, errors, t)
    assert not errors, errors[:5]
    elapsed = time.time() - t
    print(
        f"service: {len(sample)} requests, {args.request_threads} threads, "
        f"{len(sample) / elapsed:.1f} requests/s; "
        f"each p50 {statistics.median(took) * 1000:.0f} ms, "
        f"p99 {_percentile(took, 99) * 1000:.0f} ms"
    )
    rest = voters[args.sample :]
    ids = [v.pk for v in rest]
    with transaction.atomic(using="authority"):
        CodeSlot.objects.filter(voter_id__in=ids, index=0).update(status="revoked")
        CodeSlot.objects.filter(voter_id__in=ids, index=1).update(status="active")
    SmsMessage.objects.bulk_create(
        [
            SmsMessage(
                kind=SMS_KIND,
                voter=v,
                metadata={"election_id": v.election_id, "index": 1},
                recipient_sealed=recipient_seal(f"+336{k:08d}", voter_id=v.pk, kind=SMS_KIND),
            )
            for k, v in enumerate(rest, start=len(sample))
        ],
        batch_size=2000,
    )
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    done, failures = ctx.Event(), ctx.Queue()
    done.set()
    started = time.time()
    _joined(_dispatchers(args, gateway.port, done, failures), failures)
    drained = time.time() - started
    rows, rate = _check(n, gateway)
    gateway.stop()
    waits = [sub.timestamp() - started for *_, sub in rows]
    print(
        f"gateway at {args.rate:g} SMS/s, {args.dispatchers} dispatch workers: {n} SMS queued at "
        f"once, each accepted once, all within {drained:.0f} s ({rate:.1f} SMS/s)"
    )
    _report("queued → accepted by the gateway", waits)
    service = _percentile(took, 99)
    print(
        f"request → accepted by the gateway (queue wait + the service's p99 "
        f"{service * 1000:.0f} ms): p50 {statistics.median(waits) + service:.1f} s, "
        f"p99 {_percentile(waits, 99) + service:.1f} s"
    )


def live(args, voters, gateway) -> None:
    """Requests spread over ``args.spread`` seconds while the dispatch workers run."""
    n = len(voters)
    arrivals: dict[int, float] = {}
    errors: list[str] = []
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    done, failures = ctx.Event(), ctx.Queue()
    workers = _dispatchers(args, gateway.port, done, failures)
    time.sleep(3)  # the workers' Django set up
    started = time.time()
    took = _requests(args, voters, arrivals, errors, started, spread=args.spread)
    done.set()
    _joined(workers, failures)
    assert not errors, errors[:5]
    rows, _rate = _check(n, gateway)
    gateway.stop()
    print(
        f"{n} requests over {args.spread:.0f} s ({n / args.spread:.1f}/s), "
        f"{args.request_threads} request threads "
        f"(each p50 {statistics.median(took) * 1000:.0f} ms);"
        f" gateway at {args.rate:g} SMS/s, {args.dispatchers} workers, each SMS once"
    )
    _report("request → accepted by the gateway", [r[3].timestamp() - arrivals[r[0]] for r in rows])
    _report(
        "request accepted (green message) → gateway", [(r[3] - r[2]).total_seconds() for r in rows]
    )


if __name__ == "__main__":
    main()
