"""The real server is killed during casts: gunicorn serves ``urne.site.wsgi`` on this test's
PostgreSQL databases; its worker SIGKILLs itself at each step of the cast (``fault_point``),
the master starts another, the whole server is killed and started again between steps. The
client posts hundreds of casts over HTTP (session cookie, CSRF), resends after a dropped
connection (the same ballot, or another one from a second device), recovery runs at times
and at the end. Then: for every scrutin as many ballots as émargements, every receipt
answered 200 has its ballot, no credential twice, running tally = recount, the archive
verifies."""

from __future__ import annotations

import http.client
import io
import random
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connections
from faultkit import Server, check_stores, child_env

from factories.accounts import account_make
from factories.booth import ballot_make, cast_setup_make
from urne.accounts.session import ACCOUNT_KEY, HASH_KEY, SEEN_KEY, SINCE_KEY, session_hash
from urne.booth.services import emargement_recover
from urne.crypto.encoding import sha256_b64
from urne.urn.faults import POINTS

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "authority", "urn"]),
    pytest.mark.slow,
]

VOTERS = 150  # two scrutins each: 300 casts, plus the resends


def _sessions(voters) -> dict[int, str]:
    out = {}
    stamp = int(time.time())
    for v in voters:
        account = account_make(v)
        s = SessionStore()
        s[ACCOUNT_KEY], s[HASH_KEY] = account.pk, session_hash(account)
        s[SINCE_KEY] = s[SEEN_KEY] = stamp
        s.create()
        out[v.pk] = s.session_key
    return out


def test_server_killed_at_every_step_loses_nothing_and_counts_nothing_twice(tmp_path):
    rng = random.Random(8)
    setup = cast_setup_make(voters=VOTERS, lists=3, scrutins=2, seed="server-faults")
    sessions = _sessions(setup.voters)
    tasks, alternates = [], {}
    for cs in setup.scrutins:
        for v in setup.voters:
            i = len(tasks)
            tasks.append(
                {"i": i, "voter": v.pk, "scrutin": cs.scrutin.uuid,
                 "ballot": ballot_make(cs, v.pk, rng.randrange(4))}
            )  # fmt: skip
            alternates[i] = ballot_make(cs, v.pk, rng.randrange(4))
    rng.shuffle(tasks)
    connections.close_all()  # the server's connections only, while it runs
    log = tmp_path / "gunicorn.log"
    receipts: dict[int, str] = {}  # task -> tracker answered 200
    final_errors: dict[int, str] = {}
    switched: set[int] = set()
    kills: Counter[str] = Counter()
    resends = recoveries = 0
    # One server per fault point, then one without faults for what is left.
    phases = [*POINTS, ""]
    share = len(tasks) // len(POINTS) + 1
    queue = list(tasks)

    def run_phase(server: Server, phase: int, point: str) -> None:
        nonlocal queue, resends, recoveries
        todo = queue[:share] if point else queue
        queue = queue[len(todo) :]
        retry: list[dict] = []
        while todo or retry:
            t = todo.pop(0) if todo else retry.pop(0)
            try:
                status, body = server.post(sessions[t["voter"]], t["scrutin"], t["ballot"])
            except (ConnectionError, http.client.HTTPException):
                # The worker died in the middle of this cast: the voter sends again, at
                # times from another device with another ballot; at times recovery runs first.
                kills[point] += 1
                resends += 1
                assert resends < 1000, "no progress"
                if rng.random() < 0.3 and t["i"] not in switched:
                    switched.add(t["i"])
                    t["ballot"] = alternates[t["i"]]
                if rng.random() < 0.5:
                    emargement_recover(older_than=timedelta(0))
                    connections.close_all()
                    recoveries += 1
                todo.insert(0, t)
                continue
            if status == 200:
                assert body["tracker"] == sha256_b64(t["ballot"]), body
                receipts[t["i"]] = body["tracker"]
            elif body.get("code") == "already_voted" and t["i"] in switched:
                final_errors[t["i"]] = body["code"]  # the first device's ballot went in
            elif body.get("code") == "in_progress":
                retry.append(t)
            else:
                pytest.fail(f"unexpected answer {status} {body} (phase {phase}, point {point})")

    for phase, point in enumerate(phases):
        server = Server(
            log, child_env(URNE_CAST_FAULT=point, URNE_CAST_FAULT_AFTER=str(rng.randint(2, 6)))
        )
        try:
            run_phase(server, phase, point)
        finally:
            server.kill()  # the whole server, between two casts (or on a failure)
    out = io.StringIO()
    call_command("cast_recover", older_than=0, stdout=out)

    faults = Counter(
        line.split()[1] for line in log.read_text().splitlines() if line.startswith("FAULT ")
    )
    assert faults == kills, (faults, kills)
    assert all(kills[p] >= 2 for p in POINTS), kills
    assert set(receipts) | set(final_errors) == {t["i"] for t in tasks}
    check_stores(setup, receipts, tmp_path, VOTERS)
    print(
        f"{len(tasks)} casts over HTTP, kills {dict(kills)}, {resends} resends, "
        f"{len(switched)} switched, {recoveries} recoveries; final recovery: {out.getvalue()}"
    )
