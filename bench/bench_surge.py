"""Opening-day surge benchmark (issue 21): the voter's whole journey through gunicorn (the
deployment's configuration) and PostgreSQL, under the production settings plus the one
benchmark hook (bench/surge/settings.py), driven by Locust on the loopback.

    .venv/bin/python bench/bench_surge.py            # long mode: the 10-minute sustained run
    SURGE_SHORT=1 .venv/bin/python bench/bench_surge.py   # a few minutes

Runs, in order, on fresh databases (URNE_BENCH_SURGE_PREFIX, default urne_bench_surge):
1. the world (bench/surge/world.py): the demo's national election, 2022 style, vote open;
2. calibration: journeys one after the other, each request's CPU read from /proc (schedstat)
   for the gunicorn workers and the PostgreSQL backends: CPU per journey by part;
3. capacity: Locust, closed loop (each user starts its next journey at once) until the
   server is saturated: journeys/s, p50/p99 per request kind, CPU per journey (web,
   PostgreSQL) and the load generator's apart, what saturates first;
4. sustained (long mode): 10 minutes offered at 70 % of that capacity;
5. admission: the server restarted with URNE_ADMISSION_PER_MINUTE set from the capacity,
   offered twice the capacity (server and Locust pinned to separate cores): the admitted
   voters' p99, the held arrivals, errors;
6. after the runs: ballots in the urns = émargements, none pending (nothing half-done).
Prints the figures and, last, one JSON line.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "src")]
SHORT = os.environ.get("SURGE_SHORT", "") not in ("", "0")
PREFIX = os.environ.get("URNE_BENCH_SURGE_PREFIX", "urne_bench_surge")
WORKERS = int(os.environ.get("SURGE_WORKERS", "2"))
CORES = os.cpu_count() or 2
PARTS = ("argon2", "pages", "code", "casts")
# The world's files (the professions de foi), kept with the databases for SURGE_KEEP_WORLD=1.
VAR = ROOT / "var" / "bench-surge"
WARM_JOURNEYS = 4


def _env(tmp: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("URNE_", "DJANGO_"))}
    # Fresh keys with a fresh world; kept with it (the vote codes derive from the authority's).
    keys = VAR / "keys.json"
    if os.environ.get("SURGE_KEEP_WORLD", "") in ("", "0") or not keys.exists():
        VAR.mkdir(parents=True, exist_ok=True)
        keys.write_text(json.dumps([secrets.token_urlsafe(50), secrets.token_urlsafe(40)]))
        keys.chmod(0o600)
    secret, authority = json.loads(keys.read_text())
    env.update(
        URNE_SECRET_KEY=secret,
        URNE_AUTHORITY_KEY=authority,
        URNE_ALLOWED_HOSTS="127.0.0.1,localhost",
        URNE_TRUSTED_PROXIES="127.0.0.1",  # the load generator plays the TLS proxy
        URNE_PUBLIC_URL="https://127.0.0.1",
        URNE_DB="postgres",
        URNE_DB_PREFIX=PREFIX,
        URNE_DB_HOST=os.environ.get("URNE_DB_HOST", "127.0.0.1"),
        URNE_DB_USER=os.environ.get("URNE_DB_USER", "root"),
        URNE_VAR=str(VAR),
        URNE_WEB_ACCESS_LOG=str(Path(tmp, "access.log")),
        URNE_WEB_ERROR_LOG=str(Path(tmp, "error.log")),
        DJANGO_SETTINGS_MODULE="surge.settings",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT / "bench")]),
    )
    return env


# --- CPU from /proc ------------------------------------------------------------------------


def _cpu_ns(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def _pg_backends() -> list[int]:
    import psycopg

    with psycopg.connect("host=127.0.0.1 dbname=postgres user=root", autocommit=True) as c:
        rows = c.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname LIKE %s AND pid <> pg_backend_pid()",
            (PREFIX + "%",),
        ).fetchall()
    return [r[0] for r in rows]


class Probe:
    """CPU nanoseconds of the web workers (gunicorn's children) and of our PostgreSQL
    backends; ``pids`` lists them once (new ones count from zero)."""

    def __init__(self, master: int) -> None:
        self.master = master

    def web(self) -> dict[int, int]:
        return {p: _cpu_ns(p) for p in [self.master, *_children(self.master)]}

    def pg(self) -> dict[int, int]:
        return {p: _cpu_ns(p) for p in _pg_backends()}

    @staticmethod
    def delta(after: dict[int, int], before: dict[int, int]) -> float:
        return sum(v - before.get(p, 0) for p, v in after.items()) / 1e9


# --- the server -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def smtp_start(env: dict[str, str]) -> Any:
    """An SMTP sink on the loopback (aiosmtpd): the receipts leave the web workers over SMTP
    as in production, and are dropped there."""
    port = _free_port()
    env["URNE_SMTP_PORT"] = str(port)
    sink = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c",
         "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return sink
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the SMTP sink did not start")


def server_start(env: dict[str, str], admission: int = 0, cores: str = "") -> tuple[Any, int]:
    port = _free_port()
    senv = dict(
        env,
        URNE_WEB_BIND=f"127.0.0.1:{port}",
        URNE_WEB_WORKERS=str(WORKERS),
        URNE_ADMISSION_PER_MINUTE=str(admission),
    )
    cmd = [
        str(Path(sys.executable).parent / "gunicorn"),
        "-c",
        str(ROOT / "deploy" / "gunicorn.conf.py"),
    ]
    if cores:
        cmd = ["taskset", "-c", cores, *cmd]
    server = subprocess.Popen(cmd, env=senv, cwd=ROOT, stdout=subprocess.DEVNULL)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if server.poll() is not None:
                raise SystemExit(
                    "gunicorn did not start: " + Path(env["URNE_WEB_ERROR_LOG"]).read_text()[-2000:]
                ) from None
            time.sleep(0.2)
    return server, port


def server_stop(server: Any) -> None:
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=60)


# --- calibration: one journey after the other, each request's CPU -------------------------------


def calibrate(data: dict[str, Any], port: int, master: int, voters: list[int]) -> dict[str, Any]:
    import requests

    from surge.journey import KINDS, Http, journey

    probe = Probe(master)
    per_kind: dict[str, list[float]] = {}
    counts: dict[str, int] = {}

    def meter(kind: str, send: Any) -> Any:
        w0, p0 = probe.web(), probe.pg()
        r = send()
        time.sleep(0.003)  # the backends' last statement accounted
        w1, p1 = probe.web(), probe.pg()
        acc = per_kind.setdefault(kind, [0.0, 0.0])
        acc[0] += Probe.delta(w1, w0)
        acc[1] += Probe.delta(p1, p0)
        counts[kind] = counts.get(kind, 0) + 1
        return r

    for k, i in enumerate(voters):
        if k == WARM_JOURNEYS:  # the first ones warm the workers (imports, templates): not counted
            per_kind.clear()
            counts.clear()
        with requests.Session() as client:
            http = Http(
                client,
                f"10.199.{i // 256 % 256}.{i % 256}",
                base=f"http://127.0.0.1:{port}",
                host=f"127.0.0.1:{port}",
                meter=meter,
            )
            journey(http, data["voters"][i], data["password"])
    n = len(voters) - WARM_JOURNEYS
    parts = {p: [0.0, 0.0] for p in PARTS}
    for kind, (web, pg) in per_kind.items():
        parts[KINDS[kind]][0] += 1000 * web / n
        parts[KINDS[kind]][1] += 1000 * pg / n
    kinds = {
        k: {
            "per_journey": counts[k] / n,
            "web_ms": 1000 * w / counts[k],
            "pg_ms": 1000 * p / counts[k],
        }
        for k, (w, p) in per_kind.items()
    }
    return {"journeys": n, "parts_ms": parts, "kinds": kinds}


def argon2_ms() -> float:
    """CPU of one check of the production Argon2id hash, in this process."""
    from django.contrib.auth.hashers import check_password, make_password

    hashed = make_password("a password of a voter")
    check_password("a password of a voter", hashed)
    t = time.process_time()
    for _ in range(10):
        check_password("a password of a voter", hashed)
    return 100 * (time.process_time() - t)


# --- Locust runs ----------------------------------------------------------------------------


def locust_run(
    env: dict[str, str],
    port: int,
    master: int,
    *,
    users: int,
    seconds: int,
    pacing: float,
    tmp: str,
    warm: float,
    cores: str = "",
) -> dict[str, Any]:
    """Locust headless for ``seconds``; the CPU of every side read after ``warm`` seconds and
    3 s before the end; returns the figures of that window."""
    out = Path(tmp, f"records-{time.time_ns()}.json")
    lenv = dict(
        env, SURGE_DATA=str(Path(tmp, "world.json")), SURGE_OUT=str(out), SURGE_PACING=str(pacing)
    )
    cmd = [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        str(ROOT / "bench/surge/locustfile.py"),
        "--headless",
        "--host",
        f"http://127.0.0.1:{port}",
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        f"{seconds}s",
        "--only-summary",
        "--loglevel",
        "ERROR",
        "--stop-timeout",
        "20",
        "--exit-code-on-error",
        "0",
    ]
    if cores:
        cmd = ["taskset", "-c", cores, *cmd]
    probe = Probe(master)
    log = Path(tmp, "locust.log")
    with log.open("w") as err_file:
        gen = subprocess.Popen(cmd, env=lenv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err_file)
    time.sleep(warm)
    t0, w0, p0, g0 = time.time(), probe.web(), probe.pg(), _cpu_ns(gen.pid)
    l0 = os.getloadavg()[0]
    time.sleep(max(1.0, seconds - warm - 3))
    t1, w1, p1, g1 = time.time(), probe.web(), probe.pg(), _cpu_ns(gen.pid)
    gen.wait(timeout=seconds + 120)
    err = log.read_text()
    rec = json.loads(out.read_text())
    window = t1 - t0
    done = [j for j in rec["journeys"] if t0 <= j[1] < t1]
    web, pg, client = Probe.delta(w1, w0), Probe.delta(p1, p0), (g1 - g0) / 1e9
    n = max(1, len(done))
    lat: dict[str, list[float]] = {}
    held = 0
    for name, status, ms, at in rec["requests"]:
        if not t0 <= at < t1:
            continue
        if name == "login page" and status == 503:
            held += 1
            name = "waiting page (held)"
        lat.setdefault(name, []).append(ms)
    kinds = {
        k: {"n": len(v), "p50": statistics.median(v), "p99": sorted(v)[int(0.99 * (len(v) - 1))]}
        for k, v in sorted(lat.items())
    }
    statuses: dict[str, int] = {}
    for name, status, _ms, _at in rec["requests"]:
        if status >= 500 and not (name in ("login page", "opening link") and status == 503):
            statuses[f"{name} {status}"] = statuses.get(f"{name} {status}", 0) + 1
    return {
        "window_s": round(window, 1),
        "journeys": len(done),
        "journeys_per_s": len(done) / window,
        "ballots": sum(j[2] for j in done),
        "journey_s_p50": statistics.median([j[1] - j[0] for j in done]) if done else 0,
        "journey_s_p99": sorted(j[1] - j[0] for j in done)[int(0.99 * (n - 1))] if done else 0,
        "cpu_ms_per_journey": {
            "web": 1000 * web / n,
            "postgres": 1000 * pg / n,
            "generator": 1000 * client / n,
        },
        "cores_busy": {"web": web / window, "postgres": pg / window, "generator": client / window},
        "loadavg": l0,
        "kinds": kinds,
        "held": held,
        "held_per_s": held / window,
        "errors": rec["errors"][:5],
        "error_count": len(rec["errors"]),
        "server_errors": statuses,
        "stderr": err[-500:] if gen.returncode else "",
    }


def _print_run(title: str, r: dict[str, Any]) -> None:
    c, b = r["cpu_ms_per_journey"], r["cores_busy"]
    print(
        f"\n{title}: {r['journeys']} journeys in {r['window_s']} s = {r['journeys_per_s']:.2f} "
        f"journeys/s ({r['ballots']} ballots); journey p50 {r['journey_s_p50']:.2f} s, p99 "
        f"{r['journey_s_p99']:.2f} s; load average {r['loadavg']:.1f} on {CORES} cores"
    )
    print(
        f"  CPU per journey: web {c['web']:.0f} ms + PostgreSQL {c['postgres']:.0f} ms = "
        f"server {c['web'] + c['postgres']:.0f} ms; load generator {c['generator']:.0f} ms apart"
    )
    print(
        f"  cores busy: web workers {b['web']:.2f}, PostgreSQL {b['postgres']:.2f}, "
        f"generator {b['generator']:.2f}"
    )
    print(f"  {'request kind':24} {'n':>6} {'p50 ms':>8} {'p99 ms':>8}")
    for k, v in r["kinds"].items():
        print(f"  {k:24} {v['n']:>6} {v['p50']:>8.0f} {v['p99']:>8.0f}")
    if r["held"]:
        print(f"  held at the door: {r['held']} ({r['held_per_s']:.2f}/s)")
    print(f"  journeys failed: {r['error_count']} {r['errors']}; 5xx: {r['server_errors']}")
    if r["stderr"]:
        print("  locust:", r["stderr"])


def _saturation(r: dict[str, Any]) -> str:
    b = r["cores_busy"]
    server = b["web"] + b["postgres"]
    first = "the web workers" if b["web"] >= b["postgres"] else "PostgreSQL"
    return (
        f"{first} ({b['web']:.2f} web + {b['postgres']:.2f} PostgreSQL = {server:.2f} of "
        f"{CORES} cores, with {WORKERS} sync workers; generator {b['generator']:.2f})"
    )


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="urne-bench-surge-")
    env = _env(tmp)
    sink = smtp_start(env)
    try:
        run(tmp, env)
    finally:
        sink.terminate()
        sink.wait(timeout=30)


def run(tmp: str, env: dict[str, str]) -> None:
    os.environ.update(env)
    voters = int(os.environ.get("SURGE_VOTERS", "1500" if SHORT else "5000"))
    fresh = os.environ.get("SURGE_KEEP_WORLD", "") in ("", "0")
    import psycopg

    with psycopg.connect("host=127.0.0.1 dbname=postgres user=root", autocommit=True) as c:
        for suffix in ("voters", "authority", "urn"):
            if fresh:
                c.execute(f'DROP DATABASE IF EXISTS "{PREFIX}_{suffix}" WITH (FORCE)')
            if not c.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (f"{PREFIX}_{suffix}",)
            ).fetchone():
                c.execute(f'CREATE DATABASE "{PREFIX}_{suffix}"')
    import django

    django.setup()
    from surge.world import world_check, world_make

    data = world_make(voters=voters)
    Path(tmp, "world.json").write_text(json.dumps(data))
    from django.db import connections

    connections.close_all()
    n_voters = len(data["voters"])
    print(
        f"mode: {'short' if SHORT else 'long'}; {WORKERS} gunicorn sync workers; {CORES} cores "
        f"shared with other work (load average {os.getloadavg()[0]:.1f} at the start)"
    )
    a2 = argon2_ms()
    print(f"Argon2id (production parameters): {a2:.0f} CPU ms a check, in-process")

    server, port = server_start(env)
    try:
        cal_n = WARM_JOURNEYS + (12 if SHORT else 40)
        cal = calibrate(data, port, server.pid, list(range(n_voters - cal_n, n_voters)))
        print(
            f"\ncalibration: {cal_n - WARM_JOURNEYS} journeys one after the other (after "
            f"{WARM_JOURNEYS} not counted), CPU per journey by part "
            "(web workers + PostgreSQL backends, /proc schedstat):"
        )
        total = 0.0
        for part, (web, pg) in cal["parts_ms"].items():
            total += web + pg
            print(f"  {part:8} web {web:6.1f} ms  PostgreSQL {pg:5.1f} ms")
        pg_all = sum(pg for _, pg in cal["parts_ms"].values())
        print(
            f"  total    {total:.1f} ms a journey (of which PostgreSQL {pg_all:.1f} ms); "
            f"target 120 ms"
        )
        print(f"  {'request kind':20} {'per journey':>11} {'web ms':>7} {'pg ms':>6}")
        for k, v in cal["kinds"].items():
            print(f"  {k:20} {v['per_journey']:>11.2f} {v['web_ms']:>7.1f} {v['pg_ms']:>6.1f}")
        data["voters"] = data["voters"][: n_voters - cal_n]  # those are voted
        Path(tmp, "world.json").write_text(json.dumps(data))

        users = int(os.environ.get("SURGE_USERS", "8"))
        cap_s = 60 if SHORT else 120
        cap = locust_run(
            env, port, server.pid, users=users, seconds=cap_s, pacing=0, tmp=tmp, warm=10
        )
        _print_run(f"capacity (closed loop, {users} users)", cap)
        print("  saturates first:", _saturation(cap))
        capacity = cap["journeys_per_s"]
        result: dict[str, Any] = {
            "mode": "short" if SHORT else "long",
            "argon2_ms": a2,
            "calibration": cal,
            "capacity": cap,
        }
        if not SHORT:
            pacing = 20.0
            u = max(1, round(0.7 * capacity * pacing))
            sus = locust_run(
                env, port, server.pid, users=u, seconds=600, pacing=pacing, tmp=tmp, warm=15
            )
            _print_run(
                f"sustained 10 min at 70 % of the capacity ({u} users, one journey "
                f"every {pacing:.0f} s each)",
                sus,
            )
            result["sustained"] = sus
    finally:
        server_stop(server)

    # Admission: the limit from the capacity, offered twice it; server and generator pinned.
    per_minute = max(1, int(0.9 * capacity * 60))  # one bucket for the server's workers
    server, port = server_start(env, admission=per_minute, cores="0")
    try:
        pacing = 10.0
        u = max(2, round(2 * capacity * pacing))
        adm_s = 60 if SHORT else 180
        adm = locust_run(
            env,
            port,
            server.pid,
            users=u,
            seconds=adm_s,
            pacing=pacing,
            tmp=tmp,
            warm=12,
            cores=str(CORES - 1),
        )
        _print_run(
            f"admission: URNE_ADMISSION_PER_MINUTE={per_minute} (shared by the server's {WORKERS} "
            f"workers), offered 2 x capacity = {u / pacing:.1f} journeys/s ({u} users, one "
            f"journey every {pacing:.0f} s each); server on core 0, Locust on core "
            f"{CORES - 1}",
            adm,
        )
        admitted = [v for k, v in adm["kinds"].items() if k != "waiting page (held)"]
        worst = max(v["p99"] for v in admitted) if admitted else 0
        print(f"  admitted voters' worst p99 over every request kind: {worst:.0f} ms")
        result["admission"] = dict(adm, per_minute=per_minute, worst_admitted_p99=worst)
    finally:
        server_stop(server)
    django.setup()
    check = world_check()
    print(f"\nafter the runs: {check}")
    result["check"] = check
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
