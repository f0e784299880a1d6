"""Fault tests: real processes, real crashes, PostgreSQL only (SQLite's single writer and
in-memory test databases cannot show two-store crash recovery meaningfully); a module
with ``RUNS_ON_SQLITE = True`` makes its own stores (SQLite files, or a private PostgreSQL
cluster: test_surge_faults.py) and runs whatever the suite's database."""

import os
from pathlib import Path

import pytest

HERE = Path(__file__).parent
POSTGRES = os.environ.get("URNE_DB") == "postgres"


def pytest_collection_modifyitems(config, items):
    if POSTGRES:
        return
    skip = pytest.mark.skip(
        reason="fault tests need PostgreSQL (URNE_DB=postgres): SQLite test databases are "
        "in memory, invisible to the crashing child processes"
    )
    for item in items:
        if getattr(item.module, "RUNS_ON_SQLITE", False):
            continue
        if HERE in Path(item.fspath).parents:
            item.add_marker(skip)
