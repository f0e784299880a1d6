"""The drills' private cluster folder: a temporary folder the unprivileged user owns; a server
still running in it at the end is stopped."""

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from drillkit import BINS, USER, as_user, pg_bin


@pytest.fixture
def folder() -> Iterator[Path]:
    if not BINS:
        pytest.fail("PostgreSQL's binaries are missing (apt-get install postgresql)")
    path = Path(tempfile.mkdtemp(prefix="urne-drill-"))
    path.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(path, USER)
    yield path
    # Any server a drill left running (a failure midway) is stopped before its folder goes.
    for pid in path.glob("*/postmaster.pid"):
        as_user(pg_bin("pg_ctl"), "-D", str(pid.parent), "-m", "immediate", "stop", check=False)
    shutil.rmtree(path, ignore_errors=True)
