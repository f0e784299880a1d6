"""The planned switchover (docs/operations.md, "Switchover and failover"; ADR 0574) on private
clusters this test makes (drillkit: initdb, pg_basebackup, their own ports, run as
``nobody``): the stores on a primary with a synchronous standby; casts under way through the
HTTP endpoint all along; the primary stopped cleanly (``pg_ctl stop -m fast``: it sends
every WAL record, its shutdown checkpoint included, to the standby before it exits) and the
standby checked to have replayed up to that checkpoint; the standby promoted, the
application pointed to it; the old primary rejoined as the new synchronous standby with
``pg_rewind``. Every cast answered 200 is in the new primary's urn and in the rejoined
standby, the émargements agree with the ballots, and the time during which casts were
refused is printed."""

import json
import subprocess
import sys
import time

import pytest
from drillkit import (
    HERE,
    as_user,
    child,
    child_env,
    follow,
    pg_bin,
    primary_with_standby,
    synchronous,
    wait,
)

pytestmark = pytest.mark.slow

CASTS = 40


def _lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _controldata(cluster, field: str) -> str:
    out = as_user(pg_bin("pg_controldata"), "-D", str(cluster.data)).stdout
    return next(
        line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith(field)
    )


def test_a_planned_switchover_loses_no_cast_and_the_old_primary_rejoins(folder):
    primary, standby = primary_with_standby(folder, rewindable=True)
    child(primary.port, "migrate")
    answers, pointer = folder / "answers.jsonl", folder / "port"
    pointer.write_text(str(primary.port))
    storm = subprocess.Popen(
        [
            sys.executable,
            str(HERE / "drill_child.py"),
            "switch_storm",
            str(CASTS),
            str(answers),
            str(pointer),
        ],
        env=child_env(primary.port),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:

        def answered(n: int):
            def enough() -> bool:
                assert storm.poll() is None, storm.communicate()
                return sum("tracker" in line for line in _lines(answers)) >= n

            return enough

        wait(answered(8), "casts answered", tries=3000)
        # Caught up, then the primary stopped cleanly: the standby has replayed everything up
        # to the primary's shutdown checkpoint.
        assert primary.sql("SELECT sync_state FROM pg_stat_replication") == "sync"
        primary.stop("fast")
        stopped = time.monotonic()
        assert _controldata(primary, "Database cluster state") == "shut down"
        last = _controldata(primary, "Latest checkpoint location")
        wait(
            lambda: standby.sql(f"SELECT pg_last_wal_replay_lsn() >= '{last}'::pg_lsn") == "t",
            "the standby caught up",
        )
        as_user(pg_bin("pg_ctl"), "-D", str(standby.data), "-w", "promote")
        pointer.write_text(str(standby.port))  # the application pointed to the new primary
        switched = time.monotonic() - stopped

        # The old primary rejoins as the standby of the new one.
        rewind = as_user(
            pg_bin("pg_rewind"),
            "-D",
            str(primary.data),
            f"--source-server=host=127.0.0.1 port={standby.port} user=postgres dbname=postgres",
        )
        follow(primary.data, standby.port, "standby2")
        primary.start()
        synchronous(standby, "standby2")

        storm.communicate(timeout=300)
        assert storm.returncode == 0
        lines = _lines(answers)
        scrutin = lines[0]["scrutin"]
        casts = [line for line in lines[1:] if "tracker" in line]
        refused = [line["refused"] for line in lines[1:] if "refused" in line]
        assert len(casts) == CASTS, "every voter's cast answered in the end"
        assert {c["port"] for c in casts} == {str(primary.port), str(standby.port)}
        if refused:
            before = max(c["t"] for c in casts if c["t"] < refused[0])
            after = min(c["t"] for c in casts if c["t"] > refused[-1])
            window = after - before
        else:
            window = 0.0
        print(
            f"\nswitchover: {len(refused)} casts refused over {window:.1f} s (the stop, the "
            f"catch-up check and the promotion took {switched:.1f} s); pg_rewind: "
            f"{(rewind.stdout + rewind.stderr).strip().splitlines()[-1]}"
        )

        child(standby.port, "recover")
        after = child(standby.port, "check", scrutin)
        trackers = sorted(c["tracker"] for c in casts)
        assert after["trackers"] == trackers  # every answered cast, and none else
        assert after["voted"] == len(trackers) == after["head"][2]
        # The rejoined standby has replayed all of it.
        lsn = standby.sql("SELECT pg_current_wal_lsn()")
        wait(
            lambda: primary.sql(f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn") == "t",
            "the rejoined standby caught up",
        )
        assert primary.sql("SELECT pg_is_in_recovery()") == "t"
        replica = child(primary.port, "check", scrutin)
        assert replica["trackers"] == trackers and replica["head"] == after["head"]
    finally:
        if storm.poll() is None:
            storm.kill()
            storm.communicate()
        primary.stop("immediate")
        standby.stop("immediate")
