"""Runs the atheris fuzzer of the strict parsers (``fuzz_parsing.py``) for a bounded number
of runs in a child process (libFuzzer ends the process it runs in)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("atheris")

HARNESS = Path(__file__).with_name("fuzz_parsing.py")
RUNS = 10_000


def test_the_strict_parsers_survive_the_fuzzer(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the harness configures its own
    done = subprocess.run(
        [sys.executable, str(HARNESS), f"-runs={RUNS}", "-seed=1", "-max_len=512"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"Done {RUNS} runs" in done.stderr
