"""Private PostgreSQL clusters for the drills: initdb into a temporary folder, their own
ports on 127.0.0.1, run as the unprivileged user ``nobody`` when the tests run as root; the
machine's own server is never touched. ``child`` runs drill_child.py on a cluster."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
BINS = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
USER = "nobody"


def pg_bin(name: str) -> str:
    return str(BINS[-1] / name)


def as_user(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    command = list(argv) if os.geteuid() != 0 else ["runuser", "-u", USER, "--", *argv]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    if check and run.returncode != 0:
        raise AssertionError(f"{argv[0]} failed: {run.stdout}{run.stderr}")
    return run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    def __init__(self, data: Path, port: int) -> None:
        self.data, self.port = data, port

    def start(self) -> None:
        """Start the server; a port another process took meanwhile (the suite runs in
        parallel) is traded for a fresh one, up to three times; any other failure is raised
        with the end of the server's log."""
        for _try in range(3):
            log = self.data.parent / f"{self.port}.log"
            run = as_user(
                pg_bin("pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(log),
                "-o",
                f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1",
                "-w",
                "-t",
                "120",
                "start",
                check=False,
            )
            if run.returncode == 0:
                return
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            if "could not bind" not in tail and "already in use" not in tail:
                raise AssertionError(f"pg_ctl start failed: {run.stdout}{run.stderr}\n{tail}")
            self.port = free_port()
        raise AssertionError(f"pg_ctl start failed three times: {run.stdout}{run.stderr}")

    def stop(self, mode: str = "fast") -> None:
        as_user(pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def sql(self, query: str, db: str = "postgres") -> str:
        run = as_user(
            pg_bin("psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            db,
            "-Atc",
            query,
        )
        return run.stdout.strip()


def child_env(port: int) -> dict[str, str]:
    """The environment of a child on the cluster at ``port``: the test settings, the three
    stores as databases ``drill_*`` there."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("URNE_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="urne.site.settings.test",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT / "tests")]),
        URNE_DB="postgres",
        URNE_DB_HOST="127.0.0.1",
        URNE_DB_PORT=str(port),
        URNE_DB_USER="postgres",
        URNE_DB_PREFIX="drill",
    )
    return env


def child(port: int, *args: str) -> dict:
    run = subprocess.run(
        [sys.executable, str(HERE / "drill_child.py"), *args],
        env=child_env(port),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def wait(predicate, what: str, tries: int = 600) -> None:
    """Poll ``predicate`` every 100 ms, ``tries`` times at most."""
    for _ in range(tries):
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what}: not reached")


def follow(data: Path, port: int, name: str) -> None:
    """Make the cluster at ``data`` a standby of the server at ``port``, known to it as
    ``name`` (the ``application_name`` that ``synchronous_standby_names`` lists)."""
    (data / "standby.signal").touch()
    with (data / "postgresql.auto.conf").open("a") as conf:
        conf.write(
            f"primary_conninfo = 'host=127.0.0.1 port={port} user=postgres "
            f"application_name={name}'\n"
        )
    if os.geteuid() == 0:
        shutil.chown(data / "standby.signal", USER)


def synchronous(primary: Cluster, name: str) -> None:
    """List ``name`` as the primary's synchronous standby and wait until it is."""
    primary.sql(f"ALTER SYSTEM SET synchronous_standby_names = '{name}'")
    primary.sql("SELECT pg_reload_conf()")
    wait(
        lambda: (
            primary.sql(
                f"SELECT sync_state FROM pg_stat_replication WHERE application_name = '{name}'"  # noqa: S608 (a drill's constant)
            )
            == "sync"
        ),
        f"{name} synchronous",
    )


def primary_with_standby(folder: Path, *, rewindable: bool = False) -> tuple[Cluster, Cluster]:
    """A primary (started, the three drill databases made) and its synchronous standby
    ``standby1`` (``pg_basebackup``, started); ``rewindable``: ``wal_log_hints`` on, so that
    ``pg_rewind`` can make the old primary a standby after a switchover."""
    as_user(pg_bin("initdb"), "-D", str(folder / "primary"), "-U", "postgres", "-A", "trust")
    with (folder / "primary" / "postgresql.conf").open("a") as conf:
        conf.write("wal_level = replica\nmax_wal_senders = 4\nsynchronous_commit = on\n")
        if rewindable:
            conf.write("wal_log_hints = on\n")
    primary = Cluster(folder / "primary", free_port())
    primary.start()
    standby = Cluster(folder / "standby", free_port())
    for suffix in ("voters", "authority", "urn"):
        primary.sql(f"CREATE DATABASE drill_{suffix}")
    as_user(
        pg_bin("pg_basebackup"),
        "-h",
        "127.0.0.1",
        "-p",
        str(primary.port),
        "-U",
        "postgres",
        "-D",
        str(standby.data),
        "-X",
        "stream",
        "-R",
        "--checkpoint=fast",
    )
    follow(standby.data, primary.port, "standby1")
    standby.start()
    # Synchronous from now on: before the standby ran, every commit would have waited.
    synchronous(primary, "standby1")
    return primary, standby
