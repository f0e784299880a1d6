"""The bureau's live participation at national scale on PostgreSQL (``make
bench-participation``; figures in docs/benchmarks.md, ADR 0771).

    .venv/bin/python bench/bench_participation.py [--voters 1100000] [--scrutins 290]
        [--requests 15] [--casts 3000] [--clients 16]

Part 1, the page. Fresh PostgreSQL databases (``urne_bench_part_*``), migrated; one election
with published rolls whose vote opened 7 days ago; ``--scrutins`` scrutins; ``--voters``
voters over 30 académies and 6 categories, each on 4 rolls (the national scrutin, their
académie's, their category's, one of the others): 4.4 M roll entries; 10 in 11 of them voted,
4 M émargements spread over the 7 days, made in SQL. Their counters are made the way the
cast makes them (one tick per émargement set voted) and compacted (timed), then a tail of
fresh ticks (a minute of casts at the peak) is left for the page to compact, as it finds it
during the vote. Then the bureau's participation page (`bureau:participation`) is fetched
``--requests`` times through Django's test client as a logged-in bureau member: wall-clock and
the web process's CPU per request; and one scrutin's page (the largest, with its émargement
list). The page's figures are checked against the émargements.

Part 2, the counters' cost per cast. The cast's settle (lock the émargement row, set it
voted, commit) is run on pending rows ``--casts`` times without the tick and as the cast now
runs it (the same UPDATE with the tick's INSERT in one statement); CPU of the client and of
the PostgreSQL backend (``/proc``) per settle. Then ``--clients`` threads settle at once,
with a compaction running in a loop beside them, while a sampler reads ``pg_locks`` every
few milliseconds: a lock wait on the ticks or the counters would show there.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
PREFIX = "urne_bench_part"
TICK = os.sysconf("SC_CLK_TCK")


def _databases() -> None:
    import psycopg

    with psycopg.connect("host=127.0.0.1 dbname=postgres user=root", autocommit=True) as c:
        for suffix in ("voters", "authority", "urn"):
            c.execute(f'DROP DATABASE IF EXISTS "{PREFIX}_{suffix}"')
            c.execute(f'CREATE DATABASE "{PREFIX}_{suffix}"')


#: Production's template loader and no DEBUG (the dev settings re-read every template).
SETTINGS = """
from urne.site.settings.base import *  # noqa
SECRET_KEY = "bench-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "root": {"handlers": [], "level": "ERROR"}}
"""


def _setup() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-part-"))
    Path(tmp, "bench_participation_settings.py").write_text(SETTINGS)
    sys.path.insert(0, str(tmp))
    os.environ.update(
        {
            "URNE_VAR": str(tmp),
            "DJANGO_SETTINGS_MODULE": "bench_participation_settings",
            "URNE_DB": "postgres",
            "URNE_DB_PREFIX": PREFIX,
            "URNE_DB_HOST": os.environ.get("URNE_DB_HOST", "127.0.0.1"),
            "URNE_DB_USER": os.environ.get("URNE_DB_USER", "root"),
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    for alias in ("default", "authority", "urn"):
        call_command("migrate", database=alias, verbosity=0)


def _timed(label: str, fn, *args, **kw):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn(*args, **kw)
    print(f"  {label}: {time.perf_counter() - start:.1f} s", flush=True)
    return out


def _world(voters: int, scrutins: int) -> dict[str, object]:
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from urne.elections.models import Body, Election, Scrutin, VoterCategory

    now = timezone.now()
    election = Election.objects.create(
        name="Bench participation",
        vote_opens=now - timedelta(days=7),
        vote_closes=now + timedelta(days=1),
        rolls_published_at=now - timedelta(days=20),
    )
    categories = [
        VoterCategory.objects.create(election=election, name=f"Catégorie {i}") for i in range(6)
    ]
    ids = []
    for i in range(scrutins):
        body = Body.objects.create(
            election=election, code=f"B{i:03d}", name=f"Instance {i}", level="national"
        )
        ids.append(
            Scrutin.objects.create(
                election=election,
                body=body,
                level="national",
                titular_seats=5,
                substitute_seats=5,
            ).pk
        )
    others = scrutins - 37
    with connection.cursor() as cur:
        _timed(
            f"{voters} voters",
            cur.execute,
            "INSERT INTO elections_voter (election_id, numen, civility, last_name, first_name, "
            "birth_date, email, category_id, corps, grade, academie, departement, "
            "establishment, mobile, updated_at) SELECT %s, lpad(i::text, 13, '0'), 'M', "
            "'NOM' || (i %% 50000), 'P' || (i %% 997), DATE '1980-01-01', "
            "'v' || i || '@ac-bench.fr', (%s::int[])[1 + i %% 6], '', '', "
            "'Académie ' || (i %% 30), lpad((i %% 95)::text, 3, '0'), '', '', now() "
            "FROM generate_series(1, %s) i",
            [election.pk, [c.pk for c in categories], voters],
        )
        cur.execute("SELECT min(id) FROM elections_voter")
        base = cur.fetchone()[0]
        _timed(
            "roll entries (4 a voter)",
            cur.execute,
            "INSERT INTO elections_rollentry (scrutin_id, voter_id) SELECT (%s::int[])[1 + "
            "CASE k WHEN 0 THEN 0 WHEN 1 THEN 1 + ((v.id - %s + 1) %% 30) "
            "WHEN 2 THEN 31 + ((v.id - %s + 1) %% 6) ELSE 37 + (v.id %% %s) END], v.id "
            "FROM elections_voter v CROSS JOIN generate_series(0, 3) k",
            [ids, base, base, others],
        )
        _timed(
            "émargements (10 in 11 roll entries)",
            cur.execute,
            "INSERT INTO booth_emargement (voter_id, scrutin_id, state, pending_tracker, "
            "created_at, voted_at) SELECT voter_id, scrutin_id, 'voted', '', t, t FROM "
            "(SELECT voter_id, scrutin_id, %s::timestamptz + random() * interval '7 days' "
            "- interval '5 minutes' AS t FROM elections_rollentry WHERE id %% 11 <> 0) r",
            [election.vote_opens],
        )
        _timed(
            "their ticks",
            cur.execute,
            "INSERT INTO bureau_participationtick (scrutin_id, voter_id, voted_at) "
            "SELECT scrutin_id, voter_id, voted_at FROM booth_emargement",
        )
        _timed("analyze", cur.execute, "ANALYZE")
        cur.execute("SELECT count(*) FROM booth_emargement")
        emargements = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM elections_rollentry")
        roll = cur.fetchone()[0]
    return {"election": election, "emargements": emargements, "roll_entries": roll}


def _tail(n: int) -> None:
    """``n`` émargements of the last minute, with their ticks not yet compacted."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "WITH e AS (INSERT INTO booth_emargement (voter_id, scrutin_id, state, "
            "pending_tracker, created_at, voted_at) SELECT voter_id, scrutin_id, 'voted', '', "
            "now(), now() FROM elections_rollentry r WHERE r.id %% 11 = 0 AND NOT EXISTS "
            "(SELECT 1 FROM booth_emargement x WHERE x.voter_id = r.voter_id AND "
            "x.scrutin_id = r.scrutin_id) LIMIT %s RETURNING scrutin_id, voter_id, voted_at) "
            "INSERT INTO bureau_participationtick (scrutin_id, voter_id, voted_at) "
            "SELECT * FROM e",
            [n],
        )


def _bureau_client(election):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from urne.bureau.models import Bureau, Member

    user = get_user_model().objects.filter(username="president").first()
    if user is None:
        user = get_user_model().objects.create_user("president", password="x", is_staff=True)  # noqa: S106
        user.groups.add(Group.objects.get(name="bureau"))
        bureau = Bureau.objects.create(election=election)
        Member.objects.create(
            bureau=bureau, role="president", name="Président", email="p@ac-bench.fr", user=user
        )
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _fetch(client, url: str, n: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    walls, cpus = [], []
    for _ in range(n):
        c0, w0 = time.process_time(), time.perf_counter()
        r = client.get(url)
        walls.append(1000 * (time.perf_counter() - w0))
        cpus.append(1000 * (time.process_time() - c0))
        assert r.status_code == 200, r.status_code
    walls.sort()
    return {
        "requests": n,
        "wall_ms_median": round(statistics.median(walls), 1),
        "wall_ms_p95": round(walls[max(0, int(0.95 * n) - 1)], 1),
        "wall_ms_max": round(walls[-1], 1),
        "web_cpu_ms_median": round(statistics.median(cpus), 1),
    }


def _again() -> dict[str, object]:
    """The world of a previous run (``--reuse``), its counters made again from its émargements."""
    from django.db import connection

    from urne.elections.models import Election

    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE bureau_participationtick, bureau_participationcount, "
            "bureau_participationhour, bureau_participationelectionhour, "
            "bureau_participationroll"
        )
        cur.execute("DELETE FROM booth_emargement WHERE state = 'pending'")
        _timed(
            "their ticks",
            cur.execute,
            "INSERT INTO bureau_participationtick (scrutin_id, voter_id, voted_at) "
            "SELECT scrutin_id, voter_id, voted_at FROM booth_emargement",
        )
        cur.execute("SELECT count(*) FROM booth_emargement")
        emargements = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM elections_rollentry")
        roll = cur.fetchone()[0]
    return {"election": Election.objects.get(), "emargements": emargements, "roll_entries": roll}


def part_page(
    voters: int, scrutins: int, requests: int, tail: int, reuse: bool
) -> dict[str, object]:
    from django.db.models import Count
    from django.urls import reverse

    from urne.booth.models import Emargement
    from urne.bureau.participation import participation_compact, participation_overview

    print("part 1: the page", flush=True)
    world = _again() if reuse else _world(voters, scrutins)
    election = world["election"]
    start = time.perf_counter()
    moved = participation_compact()
    compact_s = time.perf_counter() - start
    from django.db import connection

    with connection.cursor() as cur:  # what autovacuum does after the one-off bulk move
        cur.execute("VACUUM ANALYZE bureau_participationtick")
    print(f"  compaction of {moved} ticks: {compact_s:.1f} s", flush=True)
    client = _bureau_client(election)
    url = reverse("bureau:participation", args=[election.pk])
    client.get(url)  # the rolls' figures counted once (kept: the rolls are published)
    _tail(tail)
    first = _fetch(client, url, 1)  # with the tail to compact
    page = _fetch(client, url, requests)
    overview = participation_overview(election=election)
    assert overview.total.voted == Emargement.objects.count(), "figures ≠ émargements"
    largest = Emargement.objects.values("scrutin_id").annotate(n=Count("pk")).order_by("-n").first()
    scrutin_url = reverse("bureau:participation_scrutin", args=[largest["scrutin_id"]])
    scrutin_page = _fetch(client, scrutin_url, max(3, requests // 3))
    return {
        "voters": voters,
        "scrutins": scrutins,
        "roll_entries": world["roll_entries"],
        "emargements": world["emargements"] + tail,
        "compaction_s": round(compact_s, 1),
        "compaction_ticks_per_s": round(moved / compact_s),
        "tail_ticks": tail,
        "page_first_with_tail": first,
        "page": page,
        "largest_scrutin_emargements": largest["n"],
        "scrutin_page_with_emargement_list": scrutin_page,
    }


# --- part 2 ----------------------------------------------------------------------------------


def _dsn() -> str:
    from django.db import connection

    s = connection.settings_dict
    return f"host={s['HOST']} dbname={s['NAME']} user={s['USER']}"


def _backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _pending(n: int) -> list[int]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO booth_emargement (voter_id, scrutin_id, state, pending_tracker, "
            "created_at) SELECT voter_id, scrutin_id, 'pending', 't', now() FROM "
            "elections_rollentry r WHERE r.id %% 11 = 0 AND NOT EXISTS (SELECT 1 FROM "
            "booth_emargement x WHERE x.voter_id = r.voter_id AND x.scrutin_id = r.scrutin_id) "
            "LIMIT %s RETURNING id",
            [n],
        )
        return [r[0] for r in cur.fetchall()]


PLAIN = (
    "UPDATE booth_emargement SET state = 'voted', pending_tracker = '', voted_at = now() "
    "WHERE id = %s"
)
WITH_TICK = (
    "WITH u AS (UPDATE booth_emargement SET state = 'voted', pending_tracker = '', "
    "voted_at = now() WHERE id = %s RETURNING scrutin_id, voter_id, voted_at) "
    "INSERT INTO bureau_participationtick (scrutin_id, voter_id, voted_at) "
    "SELECT scrutin_id, voter_id, voted_at FROM u"
)


def _settle(conn, ids: list[int], statement: str) -> None:  # type: ignore[no-untyped-def]
    for pk in ids:
        with conn.transaction():
            conn.execute(
                "SELECT state, pending_tracker FROM booth_emargement WHERE id = %s FOR UPDATE",
                [pk],
                prepare=True,
            )
            conn.execute(statement, [pk], prepare=True)


def _cpu_per_settle(ids: list[int], statement: str) -> dict[str, float]:
    import psycopg

    with psycopg.connect(_dsn(), autocommit=True) as conn:
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        _settle(conn, ids[:200], statement)  # warm-up: plans prepared, caches hot
        c0, b0, w0 = time.process_time(), _backend_cpu(pid), time.perf_counter()
        _settle(conn, ids[200:], statement)
        n = len(ids) - 200
        return {
            "client_cpu_ms": round(1000 * (time.process_time() - c0) / n, 3),
            "postgres_cpu_ms": round(1000 * (_backend_cpu(pid) - b0) / n, 3),
            "wall_ms": round(1000 * (time.perf_counter() - w0) / n, 3),
        }


def part_cast(casts: int, clients: int) -> dict[str, object]:
    import psycopg

    from urne.bureau.participation import participation_compact

    print("part 2: the counters' cost per cast", flush=True)
    plain = _cpu_per_settle(_pending(casts), PLAIN)
    tick = _cpu_per_settle(_pending(casts), WITH_TICK)
    extra = (tick["client_cpu_ms"] + tick["postgres_cpu_ms"]) - (
        plain["client_cpu_ms"] + plain["postgres_cpu_ms"]
    )
    # Concurrency: each client settles its own rows (as casts do), a compaction loops beside.
    ids = _pending(casts)
    shares = [ids[i::clients] for i in range(clients)]
    stop = threading.Event()
    waits: list[tuple[str, str]] = []
    samples = 0

    def sampler() -> None:
        nonlocal samples
        with psycopg.connect(_dsn(), autocommit=True) as conn:
            while not stop.is_set():
                rows = conn.execute(
                    "SELECT coalesce(c.relname, l.locktype), a.query, (SELECT string_agg("
                    "b.query, ' | ') FROM pg_stat_activity b WHERE b.pid = ANY("
                    "pg_blocking_pids(l.pid))) FROM pg_locks l "
                    "JOIN pg_stat_activity a ON a.pid = l.pid LEFT JOIN pg_class c "
                    "ON c.oid = l.relation WHERE NOT l.granted "
                    "AND a.datname = current_database()"
                ).fetchall()
                samples += 1
                waits.extend((r[0], f"{r[1][:70]} ← {(r[2] or '')[:70]}") for r in rows)
                time.sleep(0.002)

    compactions = 0

    def compactor() -> None:
        nonlocal compactions
        from django.db import connection

        while not stop.is_set():
            participation_compact()
            compactions += 1
            time.sleep(0.05)
        connection.close()

    def client(share: list[int]) -> None:
        with psycopg.connect(_dsn(), autocommit=True) as conn:
            _settle(conn, share, WITH_TICK)

    side = [threading.Thread(target=sampler), threading.Thread(target=compactor)]
    for t in side:
        t.start()
    workers = [threading.Thread(target=client, args=(s,)) for s in shares]
    w0 = time.perf_counter()
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    wall = time.perf_counter() - w0
    stop.set()
    for t in side:
        t.join()
    on_counters = [w for w in waits if "participation" in w[0]]
    return {
        "settles": casts - 200,
        "without_tick": plain,
        "with_tick": tick,
        "tick_cpu_ms_per_cast": round(extra, 3),
        "concurrent": {
            "clients": clients,
            "settles": len(ids),
            "settles_per_s": round(len(ids) / wall),
            "compactions_beside": compactions,
            "lock_samples": samples,
            "lock_waits_seen": len(waits),
            "lock_waits_on_ticks_or_counters": len(on_counters),
            "waits_by_relation": sorted({w[0] for w in waits}),
            "waiting ← blocking": sorted({w[1] for w in waits}),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=1_100_000)
    parser.add_argument("--scrutins", type=int, default=290)
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--tail", type=int, default=2000)
    parser.add_argument("--casts", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="the voters, rolls and émargements of the previous run (migrated, counters redone)",
    )
    args = parser.parse_args()
    out: dict[str, object] = {}
    if not args.reuse:
        _databases()
    _setup()
    out["page"] = part_page(args.voters, args.scrutins, args.requests, args.tail, args.reuse)
    print(json.dumps(out["page"], indent=1), flush=True)
    out["cast"] = part_cast(args.casts, args.clients)
    print(json.dumps(out["cast"], indent=1), flush=True)


if __name__ == "__main__":
    main()
