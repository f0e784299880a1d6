"""Helpers of the fault tests: child processes on this test's databases."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

from urne.booth.models import Emargement
from urne.crypto.archive import read_records
from urne.crypto.ballot import parse_ballot
from urne.crypto.tally import compute_encrypted_tally, tally_text
from urne.urn.models import UrnBallot, UrnScrutin
from urne.urn.selectors import urn_archive_bytes
from urne.verify.checks import verify_archive

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
CSRF = "f" * 32


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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """gunicorn on a free port, its own process group (so that it can be killed whole)."""

    def __init__(self, log: Path, env: dict[str, str], *, threads: int = 1) -> None:
        """Serve with ``env`` (``child_env``: the test's databases); two workers of
        ``threads`` threads each."""
        self.port = _free_port()
        env = {**env, "DJANGO_SETTINGS_MODULE": "server_settings"}
        cmd = [
            str(Path(sys.executable).parent / "gunicorn"), "urne.site.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}", "--workers", "2", "--threads", str(threads),
            "--timeout", "60", "--log-level", "warning",
        ]  # fmt: skip
        self.log = log.open("a")
        self.proc = subprocess.Popen(
            cmd, env=env, cwd=ROOT, stdout=self.log, stderr=self.log, start_new_session=True
        )
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                assert self.proc.poll() is None, log.read_text()[-3000:]
                time.sleep(0.05)
        raise AssertionError("gunicorn did not start")

    def post(self, session: str, scrutin: str, ballot: str) -> tuple[int, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(
                "POST",
                "/vote/bulletin/",
                json.dumps({"scrutin": scrutin, "ballot": ballot}),
                {
                    "Content-Type": "application/json",
                    "X-CSRFToken": CSRF,
                    "Cookie": f"csrftoken={CSRF}; {settings.SESSION_COOKIE_NAME}={session}",
                },
            )
            resp = conn.getresponse()
            return resp.status, json.loads(resp.read())
        finally:
            conn.close()

    def kill(self) -> None:
        """The whole server (master and workers) dies at once."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.log.close()


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
