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

import time

import pytest
from drillkit import Cluster, as_user, child, free_port, pg_bin

pytestmark = pytest.mark.slow


def test_a_base_backup_and_the_archived_wal_restore_every_answered_cast(folder):
    archive, base = folder / "archive", folder / "base"
    as_user("mkdir", "-m", "700", str(archive))
    as_user(pg_bin("initdb"), "-D", str(folder / "primary"), "-U", "postgres", "-A", "trust")
    with (folder / "primary" / "postgresql.conf").open("a") as conf:
        conf.write(
            "wal_level = replica\narchive_mode = on\n"
            # A segment appears in the archive whole or not at all (copied, then renamed):
            # a segment the archiver was still copying when the primary was lost would
            # otherwise stop the restore ("wrong size").
            f"archive_command = 'test ! -f {archive}/%f && cp %p {archive}/%f.part"
            f" && mv {archive}/%f.part {archive}/%f'\n"
            "fsync = on\n"
        )
    primary = Cluster(folder / "primary", free_port())
    primary.start()
    restored = None
    try:
        for suffix in ("voters", "authority", "urn"):
            primary.sql(f"CREATE DATABASE drill_{suffix}")
        child(primary.port, "migrate")
        as_user(
            pg_bin("pg_basebackup"),
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
        cast = child(primary.port, "cast", "6")  # after the base backup: only in the WAL
        before = child(primary.port, "check", cast["scrutin"])
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

        verify = as_user(pg_bin("pg_verifybackup"), str(base), check=False)
        assert verify.returncode == 0, verify.stdout + verify.stderr

        scratch = folder / "restored"
        as_user("cp", "-a", str(base), str(scratch))
        with (scratch / "postgresql.conf").open("a") as conf:
            conf.write(f"archive_mode = off\nrestore_command = 'cp {archive}/%f %p'\n")
        as_user("touch", str(scratch / "recovery.signal"))
        restored = Cluster(scratch, free_port())
        restored.start()
        for _ in range(600):
            if restored.sql("SELECT pg_is_in_recovery()") == "f":
                break
            time.sleep(0.1)
        after = child(restored.port, "check", cast["scrutin"])
        assert after == before
        assert len(after["trackers"]) == after["voted"] == after["head"][2] == 6
    finally:
        primary.stop("immediate")
        if restored:
            restored.stop("immediate")
