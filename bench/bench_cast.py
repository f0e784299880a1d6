"""Cast benchmark: end-to-end casts per second through HTTP (gunicorn, PostgreSQL), against
the ceiling of a bare loop that only checks ballots, on the same cores in the same run.

    .venv/bin/python bench/bench_cast.py [--ballots N] [--clients C] [--workers W]

One large scrutin (9 lists + blank): every cast appends to the same hash chain and running
tally. Ballots are made beforehand with urne.ceremony; each voter has a logged-in session.
The clients post each ballot once (CSRF token, session cookie) and nothing is skipped: every
check of the cast runs (session, roll, window, authority, ballot proofs, claim, urn append,
émargement, receipt e-mail composed in full and dropped by a null channel). Reports casts/s,
p50/p99 latency, CPU per ballot (web workers, PostgreSQL backends, client), the ceiling, and
a breakdown of one cast measured in-process (where the time goes).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_PREFIX = "urne_bench_cast"
LISTS = 9
TICK = os.sysconf("SC_CLK_TCK")

SETTINGS = """
from urne.site.settings.base import *  # noqa
SECRET_KEY = "bench-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
URNE_MAIL_CHANNEL = "bench_cast_settings.NullChannel"
# Persistent connections, so that the PostgreSQL backends measured at the end are those that
# served the whole run (with the default 60 s they are replaced during a long run).
for _db in DATABASES.values():  # noqa: F405
    _db["CONN_MAX_AGE"] = None
URNE_RATE_LIMITS = {**URNE_RATE_LIMITS, "cast_address": (10**9, 60)}  # noqa: F405
class NullChannel:  # the receipt e-mail is composed in full, then dropped
    def send(self, email):
        email.as_message().as_bytes()  # what the SMTP channel sends
    def close(self):
        pass
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "root": {"handlers": [], "level": "ERROR"}}
"""

# The floor: what every cast pays before and after the service, with no service at all
# (gunicorn, Django's handler and middleware, the CSRF check, the session read and its
# activity write, the JSON body and answer), at the cast's own URL. No cast can cost less
# through this stack, so ceiling / (ceiling + floor) bounds the ratio any cast can reach.
# The second floor adds the two reads no cast can skip: the voter store's cast context
# (scrutin, window, roll, émargement, account) and the authority's credential status.
FLOOR_URLS = """
import json
from django.conf import settings
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from urne.accounts.session import session_claim
from urne.booth.views import _csrf
@csrf_exempt
@require_POST
def floor(request):
    if _csrf.process_view(request, None, (), {}) is not None:
        return JsonResponse({"code": "csrf_failed"}, status=403)
    claim = session_claim(request)
    payload = json.loads(request.body)
    if settings.BENCH_FLOOR_READS:
        from urne.authority.selectors import credential_status
        from urne.booth.services import cast_context
        ctx = cast_context(account_id=claim.account_id, scrutin_uuid=payload["scrutin"])
        credential = json.loads(payload["ballot"])["credential"]
        assert credential_status(voter_id=ctx.voter_id, scrutin_uuid=payload["scrutin"],
                                 public_credential=credential) == "active"
    return JsonResponse({"tracker": "t" * 43, "scrutin": payload["scrutin"], "resent": False,
                         "receipt_url": "/vote/recu/x/?suivi=" + "t" * 43,
                         "account": claim.account_id,
                         "message": "Votre vote a bien été enregistré."})
urlpatterns = [path("vote/bulletin/", floor)]
"""
FLOOR_SETTINGS = """
from bench_cast_settings import *  # noqa
ROOT_URLCONF = "bench_cast_floor_urls"
BENCH_FLOOR_READS = False
"""
FLOOR_READS_SETTINGS = """
from bench_cast_floor_settings import *  # noqa
BENCH_FLOOR_READS = True
"""


def _env(settings_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        URNE_DB="postgres",
        URNE_DB_PREFIX=PG_PREFIX,
        DJANGO_SETTINGS_MODULE="bench_cast_settings",
        PYTHONPATH=os.pathsep.join([settings_dir, str(ROOT / "src"), env.get("PYTHONPATH", "")]),
    )
    return env


def _make_ballot(args: tuple[str, str, list[list[int]], str]) -> str:
    from urne.ceremony import make_ballot
    from urne.crypto.election import parse_election

    raw, credential, plaintext, seed = args
    return make_ballot(parse_election(raw), credential, plaintext, seed).to_string()


def _verify_chunk(args: tuple[str, list[str]]) -> tuple[int, float]:
    from urne.crypto.ballot import verify_ballot_string
    from urne.crypto.election import parse_election

    raw, ballots = args
    election = parse_election(raw)
    cpu = time.process_time()
    for b in ballots:
        verify_ballot_string(election, b)
    return len(ballots), time.process_time() - cpu


def ceiling(raw: str, ballots: list[str], procs: int) -> tuple[float, float]:
    """A bare loop that only checks ballots, on ``procs`` processes: (ballots/s, CPU ms per
    ballot)."""
    chunks = [(raw, ballots[i::procs]) for i in range(procs)]
    with Pool(procs) as pool:
        pool.map(_verify_chunk, [(raw, ballots[:20])] * procs)  # warm up
        start = time.perf_counter()
        done = pool.map(_verify_chunk, chunks)
        elapsed = time.perf_counter() - start
    n = sum(d[0] for d in done)
    return n / elapsed, 1000 * sum(d[1] for d in done) / n


def setup(n: int, seed: int) -> dict[str, object]:
    """Fresh databases, an open election, one CTM scrutin with ``n`` voters, their accounts,
    sessions and credentials, the urn set up; returns what the clients need."""
    import psycopg

    with psycopg.connect("host=127.0.0.1 dbname=postgres user=root", autocommit=True) as c:
        for suffix in ("voters", "authority", "urn"):
            c.execute(f'DROP DATABASE IF EXISTS "{PG_PREFIX}_{suffix}" WITH (FORCE)')
            c.execute(f'CREATE DATABASE "{PG_PREFIX}_{suffix}"')
    import django

    django.setup()
    from datetime import date, timedelta

    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    from urne.accounts.models import VoterAccount
    from urne.accounts.session import ACCOUNT_KEY, HASH_KEY, SEEN_KEY, SINCE_KEY, session_hash
    from urne.authority.models import CodeSlot, PublicCredential
    from urne.ceremony import make_setup, random_plaintext
    from urne.crypto.credentials import public_credential
    from urne.crypto.encoding import dumps
    from urne.crypto.group import GROUP
    from urne.crypto.trustees import trustees_to_json
    from urne.elections.models import Body, Scrutin, Voter, VoterCategory
    from urne.elections.services import election_create
    from urne.urn.services import urn_setup

    for alias in ("default", "authority", "urn"):
        call_command("migrate", database=alias, verbosity=0)
    call_command("createcachetable", verbosity=0)
    t0 = time.perf_counter()
    sim = make_setup(voters=n, lists=LISTS, seed=seed)
    now = timezone.now()
    election = election_create(
        actor="bench",
        name="bench cast",
        vote_opens=now - timedelta(hours=1),
        vote_closes=now + timedelta(days=7),
    )
    body = Body.objects.get(election=election, code="CTM")
    scrutin = Scrutin.objects.create(
        election=election, body=body, level=body.level, perimeter="", titular_seats=5,
        substitute_seats=5, uuid=sim.election.uuid,
    )  # fmt: skip
    category = VoterCategory.objects.get(election=election, name="PE et instituteur")
    Voter.objects.bulk_create(
        Voter(
            election=election, numen=f"{i % 100:02d}B{i:07d}XYZ", civility="F",
            last_name=f"BENCH{i}", first_name="Camille", birth_date=date(1980, 1, 1),
            email=f"bench{i}@ac-lyon.fr", category=category, academie="Lyon", departement="69",
        )
        for i in range(n)
    )  # fmt: skip
    voters = list(Voter.objects.filter(election=election).order_by("pk"))
    VoterAccount.objects.bulk_create(
        VoterAccount(
            voter=v,
            election=election,
            email=v.email,
            password="argon2$bench",  # noqa: S106 - an unusable hash: sessions are made directly
            activated_at=now,
        )
        for v in voters
    )
    accounts = {a.voter_id: a for a in VoterAccount.objects.filter(election=election)}
    slots = CodeSlot.objects.bulk_create(
        CodeSlot(election_id=election.pk, voter_id=v.pk, index=0, status="active") for v in voters
    )
    creds = list(sim.credentials.values())
    PublicCredential.objects.bulk_create(
        PublicCredential(
            slot=slot, scrutin_uuid=scrutin.uuid,
            credential=GROUP.element_to_string(public_credential(scrutin.uuid, c)),
        )
        for slot, c in zip(slots, creds, strict=True)
    )  # fmt: skip
    urn_setup(
        scrutin_uuid=scrutin.uuid,
        election=sim.election.raw,
        trustees=dumps(trustees_to_json(sim.trustees)),
        public_credentials=dumps(sim.public_credentials_json),
    )
    # Logged in and last seen two minutes ago, so that every cast also writes the session's
    # activity time (done at most once a minute): the voter's slower case, the same in every
    # run whatever its duration.
    stamp = int(time.time()) - 120
    sessions = []
    for v in voters:
        s = SessionStore()
        a = accounts[v.pk]
        s[ACCOUNT_KEY], s[HASH_KEY] = a.pk, session_hash(a)
        s[SINCE_KEY] = s[SEEN_KEY] = stamp
        s.create()
        sessions.append(s.session_key)
    rng = random.Random(seed)
    jobs = [
        (sim.election.raw, c, random_plaintext(LISTS, rng), f"bench/{i}")
        for i, c in enumerate(creds)
    ]
    from django.db import connections

    connections.close_all()  # no connection shared with forked children
    with Pool(os.cpu_count() or 2) as pool:
        ballots = pool.map(_make_ballot, jobs, chunksize=64)
    print(f"setup: {n} voters, sessions, credentials, ballots in {time.perf_counter() - t0:.0f} s")
    return {
        "uuid": scrutin.uuid,
        "raw": sim.election.raw,
        "sessions": sessions,
        "ballots": ballots,
        "voter_ids": [v.pk for v in voters],
        "cookie": settings.SESSION_COOKIE_NAME,
    }


def _cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def _pg_backends() -> list[int]:
    import psycopg

    with psycopg.connect("host=127.0.0.1 dbname=postgres user=root", autocommit=True) as c:
        rows = c.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname LIKE %s", (PG_PREFIX + "%",)
        ).fetchall()
    return [r[0] for r in rows]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load(data: dict, port: int, clients: int, start: int, count: int) -> tuple[float, list[float]]:
    """``clients`` threads post ballots start..start+count; returns (seconds, latencies)."""
    csrf = "b" * 32
    lock = threading.Lock()
    queue = iter(range(start, start + count))
    latencies: list[float] = []
    failures: list[str] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                i = next(queue, None)
            if i is None:
                break
            body = json.dumps({"scrutin": data["uuid"], "ballot": data["ballots"][i]})
            headers = {
                "Content-Type": "application/json",
                "X-CSRFToken": csrf,
                "Cookie": f"csrftoken={csrf}; {data['cookie']}={data['sessions'][i]}",
            }
            t = time.perf_counter()
            conn.request("POST", "/vote/bulletin/", body, headers)
            resp = conn.getresponse()
            payload = resp.read()
            dt = time.perf_counter() - t
            with lock:
                if resp.status != 200:
                    failures.append(f"{resp.status} {payload[:200]!r}")
                latencies.append(dt)
            if resp.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t0
    if failures:
        raise SystemExit(f"{len(failures)} casts failed, e.g. {failures[:3]}")
    return elapsed, latencies


def serve(
    data: dict, env: dict[str, str], opts: argparse.Namespace, warm: int, count: int
) -> tuple[float, list[float], float, float, float]:
    """gunicorn on a free port, ``warm`` casts not measured, then ``count`` measured ones:
    (seconds, latencies, CPU seconds of the web processes, of PostgreSQL, of the client)."""
    port = _free_port()
    cmd = [
        str(Path(sys.executable).parent / "gunicorn"), "urne.site.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(opts.workers),
        "--worker-class", "gthread" if opts.threads > 1 else "sync",
        "--threads", str(opts.threads), "--backlog", "2048", "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(cmd, env=env, cwd=ROOT)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        load(data, port, opts.clients, 0, warm)  # warm-up requests (not timed)
        workers = _children(server.pid)
        pg0 = {p: _cpu(p) for p in _pg_backends()}
        web0 = sum(_cpu(p) for p in [server.pid, *workers])
        me0 = time.process_time()
        elapsed, lat = load(data, port, opts.clients, warm, count)
        me1 = time.process_time()
        web1 = sum(_cpu(p) for p in [server.pid, *_children(server.pid)])
        pg1 = {p: _cpu(p) for p in _pg_backends()}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    pg_cpu = sum(pg1[p] - pg0.get(p, 0.0) for p in pg1)
    return elapsed, lat, web1 - web0, pg_cpu, me1 - me0


def queries_of_one_cast(data: dict, i: int) -> dict[str, int]:
    """The SQL statements of one cast, per store (printed with --profile)."""
    from django.db import connections

    from urne.booth.services import cast_submit

    for c in connections.all():
        c.force_debug_cursor = True
        c.queries_log.clear()
    cast_submit(voter_id=data["voter_ids"][i], scrutin_uuid=data["uuid"], ballot=data["ballots"][i])
    out = {}
    for c in connections.all():
        out[c.alias] = len(c.queries)
        for q in c.queries:
            print(f"  {c.alias:9} {q['time']:>6} {q['sql'][:110]}")
        c.force_debug_cursor = False
    return out


def http_profile(data: dict, sample: list[int]) -> None:
    """cProfile (CPU time) of whole requests in-process, through Django's test client."""
    import cProfile
    import pstats

    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    csrf = "c" * 32
    prof = cProfile.Profile(time.process_time)
    cpu = time.process_time()
    warm, sample = sample[:5], sample[5:]  # first requests import and compile: not profiled
    for i in warm:
        client.cookies["csrftoken"] = csrf
        client.cookies[data["cookie"]] = data["sessions"][i]
        body = json.dumps({"scrutin": data["uuid"], "ballot": data["ballots"][i]})
        r = client.post(
            "/vote/bulletin/",
            body,
            content_type="application/json",
            HTTP_X_CSRFTOKEN=csrf,
            HTTP_HOST="127.0.0.1",
        )
        assert r.status_code == 200, r.content
    cpu = time.process_time()
    for i in sample:
        client.cookies["csrftoken"] = csrf
        client.cookies[data["cookie"]] = data["sessions"][i]
        body = json.dumps({"scrutin": data["uuid"], "ballot": data["ballots"][i]})
        prof.enable()
        r = client.post(
            "/vote/bulletin/",
            body,
            content_type="application/json",
            HTTP_X_CSRFTOKEN=csrf,
            HTTP_HOST="127.0.0.1",
        )
        prof.disable()
        assert r.status_code == 200, r.content
    print(f"in-process HTTP: {1000 * (time.process_time() - cpu) / len(sample):.1f} CPU ms/cast")
    pstats.Stats(prof).sort_stats("cumulative").print_stats(60)
    pstats.Stats(prof).sort_stats("tottime").print_stats(40)


def breakdown(data: dict, sample: list[int], profile: bool = False) -> dict[str, float]:
    """One cast's time in-process, by part: ballot check, the rest of the service (roll,
    window, authority, claim, émargement), the urn append (hash chain, running tally)."""
    from urne.booth import services as booth
    from urne.crypto import ballot as ballot_mod
    from urne.crypto import tally as tally_mod
    from urne.urn import services as urn

    spent: dict[str, float] = dict.fromkeys(
        ["check_ballot", "urn_append", "tally", "check_ballot_cpu", "urn_append_cpu", "tally_cpu"],
        0.0,
    )
    cpu0 = time.process_time()

    def timed(name: str, fn):  # type: ignore[no-untyped-def]
        def wrapper(*a, **k):  # type: ignore[no-untyped-def]
            t, c = time.perf_counter(), time.process_time()
            try:
                return fn(*a, **k)
            finally:
                spent[name] += time.perf_counter() - t
                spent[name + "_cpu"] += time.process_time() - c

        return wrapper

    originals = (booth.check_ballot, booth.urn_ballot_append, urn.add_ballot, urn.tally_text)
    booth.check_ballot = timed("check_ballot", ballot_mod.check_ballot)
    booth.urn_ballot_append = timed("urn_append", urn.urn_ballot_append)
    urn.add_ballot = timed("tally", tally_mod.add_ballot)
    urn.tally_text = timed("tally", tally_mod.tally_text)
    import cProfile
    import pstats

    prof = cProfile.Profile(time.process_time) if profile else None
    try:
        t0 = time.perf_counter()
        if prof:
            prof.enable()
        for i in sample:
            booth.cast_submit(
                voter_id=data["voter_ids"][i], scrutin_uuid=data["uuid"], ballot=data["ballots"][i]
            )
        total = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        if prof:
            prof.disable()
            pstats.Stats(prof).sort_stats("tottime").print_stats(25)
    finally:
        booth.check_ballot, booth.urn_ballot_append, urn.add_ballot, urn.tally_text = originals
    n = len(sample)
    ms = {k: 1000 * v / n for k, v in spent.items()}
    return {
        "service_total_ms": 1000 * total / n,
        "service_cpu_ms": 1000 * cpu / n,
        "check_ballot_ms": ms["check_ballot"],
        "urn_append_ms": ms["urn_append"],
        "of_which_tally_ms": ms["tally"],
        "rest_of_service_ms": 1000 * total / n - ms["check_ballot"] - ms["urn_append"],
        "check_ballot_cpu_ms": ms["check_ballot_cpu"],
        "urn_append_cpu_ms": ms["urn_append_cpu"],
        "of_which_tally_cpu_ms": ms["tally_cpu"],
        "rest_of_service_cpu_ms": 1000 * cpu / n - ms["check_ballot_cpu"] - ms["urn_append_cpu"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ballots", type=int, default=6000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="queries and cProfile of a cast")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also measure the stack's floor: the same requests answered without the service",
    )
    parser.add_argument(
        "--server-binding",
        action="store_true",
        help="psycopg server-side binding (prepared statements) for every alias, to measure",
    )
    parser.add_argument(
        "--cache",
        choices=["db", "locmem"],
        default="db",
        help="the rate limits' cache: production's database cache (default) or per process",
    )
    parser.add_argument(
        "--prepare",
        action="store_true",
        help="with --server-binding: psycopg prepared statements (plans kept per connection)",
    )
    opts = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="urne-bench-cast-")
    extra = (
        "for _db in DATABASES.values():  # noqa: F405\n"
        "    _db.setdefault('OPTIONS', {})['server_side_binding'] = True\n"
        if opts.server_binding
        else ""
    ) + (
        "for _db in DATABASES.values():  # noqa: F405\n"
        "    _db.setdefault('OPTIONS', {})['prepare_threshold'] = 2\n"
        if opts.prepare
        else ""
    )
    if opts.cache == "db":  # production's shared cache (settings/prod.py)
        extra += (
            "CACHES = {'default': {'BACKEND': 'django.core.cache.backends.db.DatabaseCache',"
            " 'LOCATION': 'urne_cache'}}\n"
        )
    Path(tmp, "bench_cast_settings.py").write_text(SETTINGS + extra)
    Path(tmp, "bench_cast_floor_settings.py").write_text(FLOOR_SETTINGS)
    Path(tmp, "bench_cast_floor_urls.py").write_text(FLOOR_URLS)
    Path(tmp, "bench_cast_floor_reads_settings.py").write_text(FLOOR_READS_SETTINGS)
    env = _env(tmp)
    os.environ.update(env)
    sys.path[:0] = [tmp, str(ROOT / "src")]
    warm, profile = 2 * opts.workers * max(opts.threads, 1) + 20, 200
    n = opts.ballots + warm + profile + (51 if opts.profile else 0)
    data = setup(n, opts.seed)
    cores = os.cpu_count() or 2
    ceil, ceil_cpu = ceiling(str(data["raw"]), list(data["ballots"][: min(3000, n)]), cores)
    print(
        f"ceiling: {ceil:.0f} ballots/s checked by a bare loop on {cores} processes "
        f"({ceil_cpu:.2f} CPU ms per ballot)"
    )

    elapsed, lat, web_cpu, pg_cpu, client_cpu = serve(data, env, opts, warm, opts.ballots)
    rate = opts.ballots / elapsed
    lat.sort()
    p50 = 1000 * statistics.median(lat)
    p99 = 1000 * lat[int(0.99 * (len(lat) - 1))]
    per = 1000 / opts.ballots
    print(
        f"end to end: {opts.ballots} casts in {elapsed:.1f} s = {rate:.0f} casts/s "
        f"({100 * rate / ceil:.0f} % of the ceiling), p50 {p50:.0f} ms, p99 {p99:.0f} ms, "
        f"{opts.clients} clients, {opts.workers} gunicorn workers x {opts.threads} threads"
    )
    print(
        f"CPU per ballot: web {web_cpu * per:.1f} ms, PostgreSQL {pg_cpu * per:.1f} ms, "
        f"client {client_cpu * per:.1f} ms; total {(web_cpu + pg_cpu + client_cpu) * per:.1f} ms"
        f" on {cores} cores"
    )
    total_cpu = (web_cpu + pg_cpu + client_cpu) * per
    print(
        f"CPU ratio (load-independent): checking a ballot / a whole cast = "
        f"{ceil_cpu:.2f} / {total_cpu:.2f} = {100 * ceil_cpu / total_cpu:.0f} %"
    )
    floors: dict[str, dict[str, float]] = {}
    for name, module in (("stack", "bench_cast_floor_settings"),
                         ("stack_and_reads", "bench_cast_floor_reads_settings")):  # fmt: skip
        if not opts.floor:
            break
        f_env = dict(env, DJANGO_SETTINGS_MODULE=module)
        f_elapsed, _, f_web, f_pg, f_client = serve(data, f_env, opts, warm, opts.ballots)
        floor = {k: 1000 * v / opts.ballots for k, v in
                 {"web": f_web, "postgres": f_pg, "client": f_client}.items()}  # fmt: skip
        floors[name] = floor
        f_total = sum(floor.values())
        what = "no service" if name == "stack" else "no service but the cast's two reads"
        print(
            f"floor ({what}): {opts.ballots / f_elapsed:.0f} requests/s; CPU per request: "
            f"web {floor['web']:.2f} ms, PostgreSQL {floor['postgres']:.2f} ms, client "
            f"{floor['client']:.2f} ms; total {f_total:.2f} ms: a cast reaches at best "
            f"{ceil_cpu:.2f} / ({ceil_cpu:.2f} + {f_total:.2f}) = "
            f"{100 * ceil_cpu / (ceil_cpu + f_total):.0f} % of the ceiling"
        )
    from django.db import connections

    connections.close_all()
    start = warm + opts.ballots
    if opts.profile:
        print("queries of one cast:", queries_of_one_cast(data, start))
        start += 1
        http_profile(data, list(range(start, start + 50)))
        start += 50
    parts = breakdown(data, list(range(start, start + profile - 1)), opts.profile)
    print(
        "one cast in-process (no HTTP), ms: "
        + ", ".join(f"{k.removesuffix('_ms')} {v:.2f}" for k, v in parts.items())
    )
    from urne.urn.models import UrnScrutin

    head = UrnScrutin.objects.using("urn").get(uuid=data["uuid"])
    print(f"urn: {head.ballots} ballots in one scrutin, chain height {head.height}")
    result = {
        "ceiling_per_s": round(ceil),
        "casts_per_s": round(rate),
        "ratio": round(rate / ceil, 3),
        "ceiling_cpu_ms": round(ceil_cpu, 2),
        "cpu_ratio": round(ceil_cpu / total_cpu, 3),
        "p50_ms": round(p50, 1),
        "p99_ms": round(p99, 1),
        "cpu_ms_per_ballot": {
            "web": round(web_cpu * per, 2),
            "postgres": round(pg_cpu * per, 2),
            "client": round(client_cpu * per, 2),
        },
        "breakdown_ms": {k: round(v, 2) for k, v in parts.items()},
        "ballots": opts.ballots,
        "clients": opts.clients,
        "workers": opts.workers,
        "threads": opts.threads,
        "floor_cpu_ms": {n: {k: round(v, 2) for k, v in f.items()} for n, f in floors.items()},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
