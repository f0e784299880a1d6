"""The test SMS gateway: `tests/smsc/smsc.cjs`, a real SMPP 3.4 server (npm `smpp`) on
127.0.0.1 in its own node process, scripted through its stdin (ADR 0600)."""

import json
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve().parents[1] / "smsc" / "smsc.cjs"
NODE_MODULE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "smpp"


def smsc_available() -> bool:
    return shutil.which("node") is not None and NODE_MODULE.is_dir()


class Smsc:
    """One gateway process; ``events`` gathers what it reports (binds, submits, receipts)."""

    def __init__(self, port: int = 0) -> None:
        self.events: list[dict[str, Any]] = []
        self._acks: queue.Queue[dict[str, Any]] = queue.Queue()
        self._lock = threading.Lock()
        self.proc = subprocess.Popen(
            ["node", str(SCRIPT), str(port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        ready: queue.Queue[int] = queue.Queue()
        self._reader = threading.Thread(target=self._read, args=(ready,), daemon=True)
        self._reader.start()
        self.port = ready.get(timeout=10)

    def _read(self, ready: "queue.Queue[int]") -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            event = json.loads(line)
            if "ready" in event:
                ready.put(event["ready"])
            elif "ok" in event:
                self._acks.put(event)
            else:
                with self._lock:
                    self.events.append(event)

    def order(self, **order: Any) -> None:
        """Change how the gateway answers from now on (see the script's header)."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(order) + "\n")
        self.proc.stdin.flush()
        self._acks.get(timeout=5)

    def of(self, kind: str) -> list[dict[str, Any]]:
        with self._lock:
            return [e for e in self.events if kind in e]

    def accepted(self) -> list[dict[str, Any]]:
        """The submits the gateway accepted, as {to, text, data_coding, message_id}."""
        return [e["submit"] for e in self.of("submit") if e["status"] == 0]

    def wait(self, kind: str, count: int, timeout: float = 10) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.of(kind)
            if len(found) >= count:
                return found
            time.sleep(0.01)
        raise AssertionError(f"{count} {kind} expected, got {self.of(kind)!r}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=5)
        self._reader.join(timeout=5)
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()


def smpp_settings(settings: Any, port: int, **extra: Any) -> None:
    """Point the SMS channel at a test gateway on ``port``."""
    settings.URNE_SMS_CHANNEL = "urne.messaging.sms_channels.SmppChannel"
    settings.URNE_SMPP = {**settings.URNE_SMPP, "host": "127.0.0.1", "port": port, **extra}


TEST_KIND = "test.code"


def sms_code_for_tests(voter_id: int, index: int) -> str:
    """The vote code the test kind's SMS carries: derived at send time, as a spare code is."""
    from urne.authority.codes import derive_code
    from urne.authority.services import authority_key

    return derive_code(authority_key(), salt="sms-test", voter_id=voter_id, index=index)


def sms_text_for_tests(voter_id: int, index: int) -> str:
    return f"Élections pros : votre nouveau code de vote est {sms_code_for_tests(voter_id, index)}"


def sms_kind_for_tests() -> str:
    """Register the tests' SMS kind: a text with a derived vote code, from metadata only."""
    from urne.messaging.registry import sms_kind_register

    def compose(message: Any) -> str:
        return sms_text_for_tests(message.voter_id, int(message.metadata["index"]))

    sms_kind_register(TEST_KIND, compose)
    return TEST_KIND
