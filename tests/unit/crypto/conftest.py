"""Fixtures of the crypto known-answer and mutation tests (no database, no belenios-tool)."""

from __future__ import annotations

import pytest
from crypto_vectors import VECTORS, VectorSet, load_vectors


@pytest.fixture(scope="session")
def vectors() -> VectorSet:
    if not (VECTORS / "MANIFEST.md").is_file():
        pytest.fail(f"the belenios-tool 3.0 vectors are missing: {VECTORS}")
    return load_vectors()
