"""The drills' private cluster folder: a temporary folder the unprivileged user owns; a server
still running in it at the end is stopped."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from pgcluster import cluster_folder


@pytest.fixture
def folder() -> Iterator[Path]:
    with cluster_folder("urne-drill-") as path:
        yield path
