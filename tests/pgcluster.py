"""Private PostgreSQL clusters for the tests that stop, kill or fail over a server (the drills,
the faults under load): initdb into a temporary folder, their own ports on 127.0.0.1, run as
the unprivileged user ``nobody`` when the tests run as root; the machine's own server is never
touched."""

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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


@contextmanager
def cluster_folder(prefix: str) -> Iterator[Path]:
    """A temporary folder the unprivileged user owns, removed afterwards; any server a test
    left running in it (a failure midway) is stopped first."""
    if not BINS:
        raise AssertionError("PostgreSQL's binaries are missing (apt-get install postgresql)")
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(path, USER)
    try:
        yield path
    finally:
        for pid in path.glob("*/postmaster.pid"):
            as_user(pg_bin("pg_ctl"), "-D", str(pid.parent), "-m", "immediate", "stop", check=False)
        shutil.rmtree(path, ignore_errors=True)


def cluster_make(folder: Path, name: str = "pg", conf: str = "") -> Cluster:
    """A new cluster in ``folder / name`` (superuser ``postgres``, trust on 127.0.0.1 only:
    it listens nowhere else), ``conf`` appended to its postgresql.conf, started."""
    as_user(pg_bin("initdb"), "-D", str(folder / name), "-U", "postgres", "-A", "trust")
    if conf:
        with (folder / name / "postgresql.conf").open("a") as f:
            f.write(conf)
    cluster = Cluster(folder / name, free_port())
    cluster.start()
    return cluster
