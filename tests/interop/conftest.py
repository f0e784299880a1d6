"""belenios-tool 3.0 and 3.3.0, the outside checks of our crypto (``tests/belenios_tools.py``).

``belenios_tool`` runs each test once per version; ``belenios_tool_30`` is for the checks only
3.0 can make: 3.3 no longer reads 3.0's AES-CCM encrypted threshold shares, so the key
ceremony and the threshold decryptions with the tool's own key files stay on 3.0.
"""

from __future__ import annotations

import pytest

from belenios_tools import VERSIONS, BeleniosTool
from belenios_tools import belenios_tool as installed


@pytest.fixture(scope="session", params=VERSIONS, ids=lambda v: f"belenios-{v}")
def belenios_tool(request: pytest.FixtureRequest) -> BeleniosTool:
    return installed(request.param)


@pytest.fixture(scope="session")
def belenios_tool_30() -> BeleniosTool:
    return installed("3.0")
