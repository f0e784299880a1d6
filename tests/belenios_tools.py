"""Belenios's own command-line tool, the outside check of our crypto, in its two versions.

``tools/install-belenios-tool 3.0|3.3`` installs each (``make install-tools`` does both); the
tests find them through ``$BELENIOS_TOOL`` (3.0) and ``$BELENIOS_TOOL_33`` (3.3), else in the
installer's default folders. A missing tool fails the test that needs it (never a skip).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

VERSIONS = ("3.0", "3.3")
_ENV = {"3.0": "BELENIOS_TOOL", "3.3": "BELENIOS_TOOL_33"}


def tool_path(version: str) -> Path:
    """Where belenios-tool ``version`` is: its variable, else the installer's default folder."""
    configured = os.environ.get(_ENV[version])
    if configured:
        return Path(configured)
    return Path.home() / ".cache" / f"belenios-tool-{version}" / "belenios-tool"


@dataclass(frozen=True)
class BeleniosTool:
    version: str
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
                f"belenios-tool {self.version} {' '.join(map(str, args[:2]))} exited "
                f"{done.returncode}:\n{done.stdout}\n{done.stderr}"
            )
        return done


def belenios_tool(version: str) -> BeleniosTool:
    """The installed tool of ``version``, or the test fails saying how to install it."""
    path = tool_path(version)
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(
            f"belenios-tool {version} not found at {path}: run `make install-tools` "
            f"(or set {_ENV[version]}); the README's `make test` installs it"
        )
    return BeleniosTool(version, path)
