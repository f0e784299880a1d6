"""A worker killed while sending SMS (ADR 0600), on SQLite files as on PostgreSQL, against the
real SMPP server of the tests (tests/smsc/smsc.cjs): killed while binding, the messages wait
and go out once with the next worker; killed after a submit the gateway had not answered, that
one message is marked uncertain and never sent again, the others go out once."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from faultkit import HERE, child_env

from factories.smsc import Smsc

POSTGRES = os.environ.get("URNE_DB") == "postgres"
RUNS_ON_SQLITE = True
COUNT = 4

pytestmark = [pytest.mark.database] + (
    [pytest.mark.django_db(transaction=True, databases=["default", "authority", "urn"])]
    if POSTGRES
    else []
)


def _child(env, *args, timeout=60):
    out = subprocess.run(
        [sys.executable, str(HERE / "sms_child.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.splitlines()[-1])


def _worker(env, port, sending_timeout="300"):
    return subprocess.Popen(
        [sys.executable, str(HERE / "sms_child.py"), "dispatch", str(port), sending_timeout],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill(worker):
    worker.send_signal(signal.SIGKILL)
    worker.communicate(timeout=10)
    assert worker.returncode == -signal.SIGKILL


def test_worker_killed_while_binding_then_while_sending(tmp_path):
    if POSTGRES:
        env = child_env()
    else:
        files = {a: str(tmp_path / f"{a}.sqlite3") for a in ("default", "authority", "urn")}
        env = child_env(URNE_FAULT_DBS=json.dumps(files))
    texts = _child(env, "make", str(COUNT))["texts"]
    smsc = Smsc()
    try:
        # 1. Killed while the gateway holds the bind: nothing was claimed, nothing sent.
        smsc.order(bind="hold")
        worker = _worker(env, smsc.port)
        smsc.wait("bind", 1)
        _kill(worker)
        rows = _child(env, "check")["rows"]
        assert [r["state"] for r in rows] == ["ready"] * COUNT
        assert all(r["recipient_sealed"] and r["attempts"] == 0 for r in rows)
        assert smsc.of("submit") == []

        # 2. Killed while the gateway holds the first submit's answer.
        smsc.order(bind="accept", submit="hold")
        worker = _worker(env, smsc.port)
        smsc.wait("submit", 1)
        _kill(worker)
        rows = _child(env, "check")["rows"]
        assert rows[0]["state"] == "sending" and rows[0]["recipient_sealed"]
        assert [r["state"] for r in rows[1:]] == ["ready"] * (COUNT - 1)

        # 3. The next worker, after the sending timeout: the held one uncertain (never sent
        # again), every other sent once, receipts recorded, no number left.
        smsc.order(submit="accept")
        time.sleep(1.1)
        worker = _worker(env, smsc.port, sending_timeout="1")
        _out, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err[-3000:]
        rows = _child(env, "check")["rows"]
        assert [r["state"] for r in rows] == ["uncertain"] + ["sent"] * (COUNT - 1)
        assert not any(r["recipient_sealed"] for r in rows)
        assert [r["receipt_state"] for r in rows[1:]] == ["DELIVRD"] * (COUNT - 1)
        submitted = [e["submit"]["text"] for e in smsc.of("submit")]
        assert sorted(submitted) == sorted(texts)  # each text written to the gateway once
        assert [r["gateway_id"] for r in rows[1:]] == [s["message_id"] for s in smsc.accepted()]
    finally:
        smsc.stop()


def test_worker_killed_while_sending_new_identifiers(tmp_path):
    """The new identifier's SMS (ADR 0610): the one whose submit was cut is uncertain and
    never sent again (its code stays the voter's active one: the helpdesk sees the state and
    the voter may ask again), every other goes out once with its seed text."""
    if POSTGRES:
        env = child_env()
    else:
        files = {a: str(tmp_path / f"{a}.sqlite3") for a in ("default", "authority", "urn")}
        env = child_env(URNE_FAULT_DBS=json.dumps(files))
    texts = _child(env, "replace", str(COUNT))["texts"]
    assert all(t.startswith("Bonjour,\nVotre nouvel identifiant de vote : ") for t in texts)
    smsc = Smsc()
    try:
        smsc.order(submit="hold")
        worker = _worker(env, smsc.port)
        smsc.wait("submit", 1)
        _kill(worker)
        smsc.order(submit="accept")
        time.sleep(1.1)
        worker = _worker(env, smsc.port, sending_timeout="1")
        _out, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err[-3000:]
        rows = _child(env, "check")["rows"]
        assert [r["state"] for r in rows] == ["uncertain"] + ["sent"] * (COUNT - 1)
        assert not any(r["recipient_sealed"] for r in rows)
        submitted = [e["submit"]["text"] for e in smsc.of("submit")]
        assert sorted(submitted) == sorted(texts)  # each written to the gateway once
    finally:
        smsc.stop()
