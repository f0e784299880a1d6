"""Helpers of the fault tests: child processes on this test's databases."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.db import connections
from gunicorn_kit import CSRF, Server

from urne.booth.models import Emargement
from urne.crypto.archive import read_records
from urne.crypto.ballot import parse_ballot
from urne.crypto.tally import compute_encrypted_tally, tally_text
from urne.urn.models import UrnBallot, UrnScrutin
from urne.urn.selectors import urn_archive_bytes
from urne.verify.checks import verify_archive

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
__all__ = ["CSRF", "Server", "check_stores", "child_env", "run_child", "start_child"]


def child_env(**extra: str) -> dict[str, str]:
    """Environment of a child process using this test's databases (or those of
    ``URNE_FAULT_DBS`` in ``extra``: alias → name)."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="faults_settings",
        PYTHONPATH=os.pathsep.join([str(HERE), str(HERE.parent), env.get("PYTHONPATH", "")]),
    )
    if "URNE_FAULT_DBS" not in extra:
        names = {alias: connections[alias].settings_dict["NAME"] for alias in connections}
        env["URNE_FAULT_DBS"] = json.dumps(names)
    env.update(extra)
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


def check_stores(setup: Any, receipts: dict[int, str], tmp_path: Path, voters: int) -> None:
    """The invariants of the two stores after crashes and recovery."""
    assert not Emargement.objects.filter(state="pending").exists()
    assert not Emargement.objects.exclude(pending_tracker="").exists()
    in_urn = set(UrnBallot.objects.using("urn").values_list("tracker", flat=True))
    assert set(receipts.values()) <= in_urn  # every receipt given has its ballot
    for cs in setup.scrutins:
        uuid = cs.scrutin.uuid
        ballots = UrnBallot.objects.using("urn").filter(scrutin__uuid=uuid)
        emargements = Emargement.objects.filter(scrutin=cs.scrutin, state="voted")
        assert ballots.count() == emargements.count() == voters
        assert len(set(ballots.values_list("credential", flat=True))) == voters
        head = UrnScrutin.objects.using("urn").get(uuid=uuid)
        assert head.ballots == voters
        archive = urn_archive_bytes(scrutin_uuid=uuid)
        path = tmp_path / f"{uuid}.bel"
        path.write_bytes(archive)
        report = verify_archive(str(path), jobs=1)
        assert report.valid, report.failures[:3]
        assert report.ballots == voters
        texts = [
            r.body.decode()
            for r in read_records(archive)
            if r.name.endswith(".data.json") and r.body.startswith(b'{"election_uuid"')
        ]
        assert len(texts) == voters
        expected, _, _ = compute_encrypted_tally(cs.election, [(parse_ballot(t), 1) for t in texts])
        assert head.tally == tally_text(expected)
