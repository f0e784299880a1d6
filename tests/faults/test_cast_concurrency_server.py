"""One voter's ballots posted at once to the real server (gunicorn, workers and threads), on
SQLite files as on PostgreSQL: exactly one ballot goes in, and the post whose ballot went in
is answered with its receipt, never an error (on SQLite, a "database is locked" answered 503
to the voter who had voted, before ADR 0530)."""

import json
import os
import subprocess
import sys
import threading

import pytest
from faultkit import HERE, Server, child_env

from urne.crypto.encoding import sha256_b64

POSTGRES = os.environ.get("URNE_DB") == "postgres"
RUNS_ON_SQLITE = True
POSTS = 12

# On SQLite the test makes its own database files (the test databases are in memory, out of
# the server's reach); marked ``database`` all the same, so that the SQLite pass selects it.
pytestmark = [pytest.mark.slow, pytest.mark.database] + (
    [pytest.mark.django_db(transaction=True, databases=["default", "authority", "urn"])]
    if POSTGRES
    else []
)


def _world(env, *args):
    out = subprocess.run(
        [sys.executable, str(HERE / "server_world.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.splitlines()[-1])


@pytest.mark.parametrize("run", range(3))
def test_one_voters_posts_at_once_answer_the_ballot_that_went_in(tmp_path, run):
    if POSTGRES:
        env = child_env()
    else:
        files = {a: str(tmp_path / f"{a}.sqlite3") for a in ("default", "authority", "urn")}
        env = child_env(URNE_FAULT_DBS=json.dumps(files))
    world = _world(env, "make", str(POSTS // 2))
    ballots = world["ballots"] * 2  # each ballot twice: a resend racing the original
    server = Server(tmp_path / "gunicorn.log", env, threads=POSTS // 2)
    answers = [None] * POSTS
    barrier = threading.Barrier(POSTS)

    def post(k):
        barrier.wait()
        try:
            answers[k] = server.post(world["session"], world["scrutin"], ballots[k])
        except Exception as exc:  # a page that is not JSON: reported below
            answers[k] = (0, {"code": repr(exc)})

    try:
        threads = [threading.Thread(target=post, args=(k,)) for k in range(POSTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.kill()
    stores = _world(env, "check", world["scrutin"])
    [tracker] = stores["trackers"]
    assert stores["emargements"] == ["voted"]
    answered = {k: (status, body.get("code")) for k, (status, body) in enumerate(answers)}
    went_in = [k for k, ballot in enumerate(ballots) if sha256_b64(ballot) == tracker]
    assert len(went_in) == 2
    # The ballot's copies (a resend racing the original) get its receipt, or, for a copy
    # whose claim another ballot took over before its copy won it back (A claims, C takes
    # over, A finds its claim gone, A's resend takes it from C and goes in), "another send in
    # progress": true when it was said, and the booth's resend then gets the receipt. At
    # least one copy gets the receipt. Every other ballot is refused as the voter having
    # voted, or as another send being in progress; never a server error.
    receipts = [k for k in went_in if answered[k][0] == 200]
    assert receipts, answered
    for k, (status, code) in answered.items():
        if k in receipts:
            assert answers[k][1]["tracker"] == tracker
        elif k in went_in:
            assert (status, code) == (409, "in_progress"), (k, answered)
        else:
            assert (status, code) in {(409, "already_voted"), (409, "in_progress")}, answered
