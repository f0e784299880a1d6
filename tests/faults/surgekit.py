"""The faults under load (test_surge_faults.py, shortened; bench/bench_faults.py, long): a
private PostgreSQL cluster (pgcluster: initdb in a temporary folder, its own port, run as an
unprivileged user) holding the three stores; an open election, its voters' sessions and
ballots made by surge_child.py; gunicorn serving the site on it (surge_settings:
production's connection handling); threads posting every cast over HTTP as voters do
(resending after a dropped connection or a 503) beside threads reading the voters' pages in
French and English; a real SMTP relay (aiosmtpd) that can be down. The faults themselves
(the server stopped, a worker SIGKILLed, the relay down) are the caller's, run while the load
goes on. No Django import here: the bench runs it outside Django."""

from __future__ import annotations

import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path

from gunicorn_kit import Server, free_port

from pgcluster import Cluster, cluster_make
from urne.crypto.encoding import sha256_b64

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
HEADING_503 = {
    "fr": "<h1>Service momentanément indisponible</h1>",
    "en": "<h1>Service temporarily unavailable</h1>",
}
PAGES = {"fr": "/scrutins/", "en": "/en/scrutins/"}


class Surge:
    """The private cluster, its stores and world, and the server on them."""

    def __init__(self, folder: Path, conf: str = "") -> None:
        """The cluster in ``folder`` (``conf``: more of its postgresql.conf), its three
        stores migrated."""
        self.folder = folder
        self.cluster: Cluster = cluster_make(folder, "pg", "max_connections = 60\n" + conf)
        for store in ("voters", "authority", "urn"):
            self.cluster.sql(f"CREATE DATABASE surge_{store}")
        self.extra: dict[str, str] = {}
        self.server: Server | None = None
        self.worlds = 0
        self.child("migrate")

    def world_make(self, *, voters: int, scrutins: int = 2) -> dict:
        """A new open election: its voters' sessions, their ballots (``world.json``)."""
        self.worlds += 1
        self.world_file = self.folder / f"world{self.worlds}.json"
        self.child("make", str(self.world_file), str(voters), str(scrutins))
        return json.loads(self.world_file.read_text())

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("URNE_", "DJANGO_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="surge_settings",
            PYTHONPATH=os.pathsep.join([str(HERE), str(ROOT / "tests"), str(ROOT / "src")]),
            URNE_DB="postgres",
            URNE_DB_HOST="127.0.0.1",
            URNE_DB_PORT=str(self.cluster.port),
            URNE_DB_USER="postgres",
            URNE_DB_PREFIX="surge",
            URNE_VAR=str(self.folder / "var"),
            **self.extra,
        )
        return env

    def child(self, *args: str) -> dict:
        run = subprocess.run(
            [sys.executable, str(HERE / "surge_child.py"), *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        return json.loads(run.stdout.strip().splitlines()[-1])

    def child_start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, str(HERE / "surge_child.py"), *args],
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def serve(self, *, workers: int = 2, threads: int = 4, **env: str) -> Server:
        """gunicorn on the stores; ``env``: more settings for it and the children
        (URNE_SMTP_PORT...)."""
        if self.server is not None and self.server.proc.poll() is None:
            self.server.kill()
        self.extra = env
        self.server = Server(
            self.folder / "gunicorn.log",
            self.env(),
            workers=workers,
            threads=threads,
            settings="surge_settings",
        )
        for _ in range(1200):  # every worker booted (the master listens before they are)
            if len(self.server.worker_pids()) == workers:
                break
            time.sleep(0.05)
        return self.server

    def server_log(self) -> str:
        return (self.folder / "gunicorn.log").read_text(errors="replace")

    def check(self, load: Load) -> dict:
        """Recovery as the task worker runs it, then the stores' invariants (surge_child)."""
        self.child("recover")
        receipts = self.folder / f"receipts{self.worlds}.txt"
        receipts.write_text("\n".join(load.receipts.values()) + "\n")
        return self.child("check", str(self.world_file), str(receipts))

    def close(self) -> None:
        if self.server is not None and self.server.proc.poll() is None:
            self.server.kill()
        self.cluster.stop("immediate")


@dataclass
class Load:
    """Every cast of the world posted by ``threads`` voters' threads, each cast resent until
    it is answered 200 (as the booth lets the voter do), beside ``readers`` threads reading
    the voters' "Mes scrutins" page in both languages until the casts are done."""

    server: Server
    world: dict
    threads: int = 6
    readers: int = 2
    counts: Counter[str] = field(default_factory=Counter)
    receipts: dict[int, str] = field(default_factory=dict)
    answered_at: dict[int, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: The load gives up (an error) when no cast was answered for that long.
    stall_seconds: float = 90.0

    def __post_init__(self) -> None:
        self._todo = list(range(len(self.world["tasks"])))
        random.Random(21).shuffle(self._todo)
        self._lock = threading.Lock()
        self.done = threading.Event()
        self.stalled = threading.Event()

    def _count(self, what: str) -> None:
        with self._lock:
            self.counts[what] += 1

    def _cast(self, i: int) -> None:
        t = self.world["tasks"][i]
        session = self.world["sessions"][t["voter"]]
        payload = json.dumps({"scrutin": t["scrutin"], "ballot": t["ballot"]})
        for _attempt in range(2000):
            if self.stalled.is_set():
                return
            try:
                status, ctype, body = self.server.request(
                    "POST", "/vote/bulletin/", session, payload
                )
            except (OSError, http.client.HTTPException):
                self._count("cast dropped")  # the worker died with the request
                time.sleep(0.05)
                continue
            answer = json.loads(body) if ctype.startswith("application/json") else {}
            code = answer.get("code")
            if status == 200 and answer.get("tracker") == sha256_b64(t["ballot"]):
                with self._lock:
                    self.receipts[i] = answer["tracker"]
                    self.answered_at[i] = time.monotonic()
                    self.counts["cast 200"] += 1
                return
            if status == 503 and code == "unavailable" and answer.get("message"):
                self._count("cast 503")
                time.sleep(0.1)
                continue
            if status == 409 and code == "in_progress":
                self._count("cast in_progress")
                time.sleep(0.2)
                continue
            with self._lock:
                self.errors.append(f"cast: {status} {ctype} {body[:300]!r}")
            return
        self.errors.append(f"cast {i}: no answer after 2000 tries")

    def _caster(self) -> None:
        while True:
            with self._lock:
                if not self._todo:
                    return
                i = self._todo.pop()
            self._cast(i)

    def _reader(self, k: int) -> None:
        rng = random.Random(k)
        while not self.done.is_set():
            language = rng.choice(("fr", "en"))
            session = rng.choice(self.world["sessions"])
            try:
                status, ctype, body = self.server.request("GET", PAGES[language], session)
            except (OSError, http.client.HTTPException):
                self._count("page dropped")
                time.sleep(0.05)
                continue
            text = body.decode(errors="replace")
            if status == 200 and f'<html lang="{language}">' in text:
                self._count("page 200")
            elif (
                status == 503
                and ctype.startswith("text/html")
                and HEADING_503[language] in text
                and "Traceback" not in text
            ):
                self._count(f"page 503 {language}")
            else:
                with self._lock:
                    self.errors.append(f"page {language}: {status} {ctype} {text[:300]!r}")
            time.sleep(0.02)

    def run(self, *faults: Callable[[Load], None]) -> Load:
        """Run the load with each of ``faults`` in a thread of its own (it stops when
        ``done`` is set), until every cast is answered 200."""
        started = time.monotonic()
        casters = [threading.Thread(target=self._caster) for _ in range(self.threads)]
        others = [threading.Thread(target=self._reader, args=(k,)) for k in range(self.readers)]
        others += [threading.Thread(target=f, args=(self,)) for f in faults]
        for t in casters + others:
            t.start()
        last, progress = -1, time.monotonic()
        while any(t.is_alive() for t in casters):
            time.sleep(0.2)
            if len(self.receipts) != last:
                last, progress = len(self.receipts), time.monotonic()
            elif time.monotonic() - progress > self.stall_seconds:
                self.errors.append(f"no cast answered for {self.stall_seconds} s: {self.counts}")
                self.stalled.set()
        for t in casters:
            t.join()
        self.done.set()
        for t in others:
            t.join()
        self.seconds = time.monotonic() - started
        return self

    def wait_answered(self, share: float) -> None:
        """Until ``share`` of the casts are answered."""
        total = len(self.world["tasks"])
        while len(self.receipts) < share * total and not self.done.is_set():
            time.sleep(0.05)


def database_restart(
    cluster: Cluster, *, after: float, down: float, mode: str = "immediate", log: list | None = None
) -> Callable[[Load], None]:
    """A fault: once ``after`` of the casts are answered, the server really stopped
    (``pg_ctl stop -m mode``), started again ``down`` seconds later."""

    def fault(load: Load) -> None:
        load.wait_answered(after)
        port = cluster.port
        stopped = time.monotonic()
        cluster.stop(mode)
        time.sleep(down)
        cluster.start()
        assert cluster.port == port, "the cluster's port was taken meanwhile"
        if log is not None:
            log.append((stopped, time.monotonic()))

    return fault


def worker_kills(
    server: Server, *, every: float, log: list | None = None
) -> Callable[[Load], None]:
    """A fault: a gunicorn worker SIGKILLed every ``every`` seconds while the load runs, once
    a cast was answered since the last kill (a worker the master just started is booting)."""
    import signal

    def fault(load: Load) -> None:
        rng = random.Random(5)
        answered = 0
        while not load.done.wait(every):
            if len(load.receipts) == answered:
                continue
            answered = len(load.receipts)
            pids = server.worker_pids()
            if pids:
                pid = rng.choice(pids)
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    continue
                if log is not None:
                    log.append(pid)

    return fault


class Relay:
    """A real SMTP relay (aiosmtpd) on a fixed port, stopped and started at will; it keeps
    every message it accepted: (subject, recipient, body)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[tuple[str, str, str]] = []
        self._controller = None

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        body = message.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        for rcpt in envelope.rcpt_tos:
            self.messages.append((str(message["Subject"]), rcpt, text))
        return "250 OK"

    def start(self) -> None:
        import logging

        from aiosmtpd.controller import Controller

        logging.getLogger("mail.log").setLevel(logging.WARNING)  # a line per SMTP command

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def relay_down(relay: Relay, *, seconds: float, log: list | None = None) -> Callable[[Load], None]:
    """A fault: the relay (down from the start) comes back after ``seconds``."""

    def fault(load: Load) -> None:
        time.sleep(seconds)  # even if the casts are done: the opening mails wait too
        relay.start()
        if log is not None:
            log.append(time.monotonic())

    return fault
