"""The backup and restore drill (docs/operations.md, "Backup and restore") on a private
PostgreSQL cluster this test makes: initdb into a temporary folder, its own port on
127.0.0.1, WAL archiving on, run as the unprivileged user ``nobody`` (the machine's own
server is never touched). The three stores are migrated, a base backup is taken
(pg_basebackup with its manifest), ballots are cast through the HTTP endpoint after it (their
WAL only in the archive), the primary is killed (immediate stop), and a scratch cluster is
restored from the base backup and the archived WAL: the base backup verifies
(pg_verifybackup), every ballot answered 200 is in the restored urn, the émargements agree
with the ballots and the urn's head (height, last event of the hash chain) is the one the
primary had."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
BINS = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
USER = "nobody"


def _bin(name: str) -> str:
    return str(BINS[-1] / name)


def _as_user(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    command = list(argv) if os.geteuid() != 0 else ["runuser", "-u", USER, "--", *argv]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    if check and run.returncode != 0:
        raise AssertionError(f"{argv[0]} failed: {run.stdout}{run.stderr}")
    return run


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    def __init__(self, data: Path, port: int) -> None:
        self.data, self.port = data, port

    def start(self) -> None:
        _as_user(
            _bin("pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.data.parent / f"{self.port}.log"),
            "-o",
            f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1",
            "-w",
            "-t",
            "120",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        _as_user(_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def sql(self, query: str, db: str = "postgres") -> str:
        run = _as_user(
            _bin("psql"),
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


@pytest.fixture
def folder() -> Iterator[Path]:
    if not BINS:
        pytest.fail("PostgreSQL's binaries are missing (apt-get install postgresql)")
    path = Path(tempfile.mkdtemp(prefix="urne-drill-"))
    path.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(path, USER)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _child(port: int, *args: str) -> dict:
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
    run = subprocess.run(
        [sys.executable, str(HERE / "drill_child.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_a_base_backup_and_the_archived_wal_restore_every_answered_cast(folder):
    archive, base = folder / "archive", folder / "base"
    _as_user("mkdir", "-m", "700", str(archive))
    _as_user(_bin("initdb"), "-D", str(folder / "primary"), "-U", "postgres", "-A", "trust")
    with (folder / "primary" / "postgresql.conf").open("a") as conf:
        conf.write(
            "wal_level = replica\narchive_mode = on\n"
            f"archive_command = 'test ! -f {archive}/%f && cp %p {archive}/%f'\n"
            "fsync = on\n"
        )
    primary = Cluster(folder / "primary", _free_port())
    primary.start()
    restored = None
    try:
        for suffix in ("voters", "authority", "urn"):
            primary.sql(f"CREATE DATABASE drill_{suffix}")
        _child(primary.port, "migrate")
        _as_user(
            _bin("pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-D",
            str(base),
            "-X",
            "stream",
            "--checkpoint=fast",
        )
        cast = _child(primary.port, "cast", "6")  # after the base backup: only in the WAL
        before = _child(primary.port, "check", cast["scrutin"])
        assert before["trackers"] == sorted(cast["trackers"]) and before["voted"] == 6
        # Every segment with those casts archived, then the primary lost.
        segment = primary.sql("SELECT pg_walfile_name(pg_current_wal_lsn())")
        primary.sql("SELECT pg_switch_wal()")
        for _ in range(600):
            if (archive / segment).exists():
                break
            time.sleep(0.1)
        assert (archive / segment).exists(), "the archiver did not copy the last segment"
        primary.stop("immediate")

        verify = _as_user(_bin("pg_verifybackup"), str(base), check=False)
        assert verify.returncode == 0, verify.stdout + verify.stderr

        scratch = folder / "restored"
        _as_user("cp", "-a", str(base), str(scratch))
        with (scratch / "postgresql.conf").open("a") as conf:
            conf.write(f"archive_mode = off\nrestore_command = 'cp {archive}/%f %p'\n")
        _as_user("touch", str(scratch / "recovery.signal"))
        restored = Cluster(scratch, _free_port())
        restored.start()
        for _ in range(600):
            if restored.sql("SELECT pg_is_in_recovery()") == "f":
                break
            time.sleep(0.1)
        after = _child(restored.port, "check", cast["scrutin"])
        assert after == before
        assert len(after["trackers"]) == after["voted"] == after["head"][2] == 6
    finally:
        primary.stop("immediate")
        if restored:
            restored.stop("immediate")
