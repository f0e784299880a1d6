"""gunicorn serving ``urne.site.wsgi`` for the fault tests and the faults bench: its own
process group on a free port, requests with a voter's session cookie and the CSRF pair, its
workers' process ids (to SIGKILL one). No Django import: the bench uses it outside Django."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).parents[2]
CSRF = "f" * 32
SESSION_COOKIE = "sessionid"  # Django's SESSION_COOKIE_NAME, not changed by the settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """gunicorn on a free port, its own process group (so that it can be killed whole)."""

    def __init__(
        self,
        log: Path,
        env: dict[str, str],
        *,
        threads: int = 1,
        workers: int = 2,
        settings: str = "server_settings",
    ) -> None:
        """Serve with ``env`` (the databases' settings) and the settings module
        ``settings``: ``workers`` workers of ``threads`` threads each."""
        self.port = free_port()
        env = {**env, "DJANGO_SETTINGS_MODULE": settings}
        cmd = [
            str(Path(sys.executable).parent / "gunicorn"), "urne.site.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
            "--threads", str(threads), "--timeout", "60", "--log-level", "warning",
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

    def request(
        self, method: str, path: str, session: str, body: str | None = None, language: str = "fr"
    ) -> tuple[int, str, bytes]:
        """(status, content type, body) of one request on a new connection."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {
            "X-CSRFToken": CSRF,
            "Cookie": f"csrftoken={CSRF}; {SESSION_COOKIE}={session}; django_language={language}",
        }
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            conn.request(method, path, body, headers)
            resp = conn.getresponse()
            return resp.status, resp.getheader("Content-Type", ""), resp.read()
        finally:
            conn.close()

    def post(self, session: str, scrutin: str, ballot: str) -> tuple[int, dict]:
        """A cast: POST ``/vote/bulletin/``; (status, its JSON answer)."""
        payload = json.dumps({"scrutin": scrutin, "ballot": ballot})
        status, _type, body = self.request("POST", "/vote/bulletin/", session, payload)
        return status, json.loads(body)

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            return [int(p) for p in children.read_text().split()]
        except OSError:
            return []

    def kill(self) -> None:
        """The whole server (master and workers) dies at once."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.log.close()
