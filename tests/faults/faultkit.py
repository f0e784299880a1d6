"""Helpers of the fault tests: child processes on this test's databases."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.db import connections

HERE = Path(__file__).parent


def child_env(**extra: str) -> dict[str, str]:
    """Environment of a child process using this test's databases."""
    names = {alias: connections[alias].settings_dict["NAME"] for alias in connections}
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="faults_settings",
        PYTHONPATH=os.pathsep.join([str(HERE), str(HERE.parent), env.get("PYTHONPATH", "")]),
        URNE_FAULT_DBS=json.dumps(names),
        **extra,
    )
    return env


def run_child(tasks_file: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(HERE / "cast_child.py"), str(tasks_file)],
        env=child_env(**extra),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def start_child(tasks_file: Path, **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(HERE / "cast_child.py"), str(tasks_file)],
        env=child_env(**extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
