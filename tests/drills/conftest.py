"""The drills' private cluster folder: a temporary folder the unprivileged user owns."""

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from drillkit import BINS, USER


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
