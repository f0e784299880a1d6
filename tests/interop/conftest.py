"""belenios-tool 3.0, the outside check of our crypto (``make install-tools`` installs it).

Found through ``$BELENIOS_TOOL``, else ``~/.cache/belenios-tool-3/belenios-tool-3``; the
interop tests fail (never skip) when it is absent.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest


def belenios_tool_path() -> Path:
    configured = os.environ.get("BELENIOS_TOOL")
    if configured:
        return Path(configured)
    return Path.home() / ".cache" / "belenios-tool-3" / "belenios-tool-3"


@dataclass(frozen=True)
class BeleniosTool:
    path: Path

    def run(
        self, *args: str | Path, stdin: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(self.path), *map(str, args)],
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        if check and done.returncode != 0:
            pytest.fail(
                f"belenios-tool {' '.join(map(str, args[:2]))} exited {done.returncode}:\n"
                f"{done.stdout}\n{done.stderr}"
            )
        return done


@pytest.fixture(scope="session")
def belenios_tool() -> BeleniosTool:
    path = belenios_tool_path()
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(
            f"belenios-tool 3.0 not found at {path}: set BELENIOS_TOOL or run `make install-tools` "
            "(the README's `make test` installs it)"
        )
    return BeleniosTool(path)
