"""The cast process is killed (SIGKILL) at each step of the cast, hundreds of casts over;
after restarts, resends and recovery: for every scrutin as many ballots as émargements, every
receipt given has its ballot, no ballot counted twice, the archive verifies."""

import json
import random
from collections import Counter
from datetime import timedelta

import pytest
from faultkit import check_stores, run_child

from factories.booth import ballot_make, cast_setup_make
from urne.booth.services import emargement_recover
from urne.urn.faults import POINTS

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "authority", "urn"]),
    pytest.mark.slow,
]

VOTERS = 150  # two scrutins each: 300 casts
KILLS_PER_POINT = 8


def test_kills_at_every_step_lose_nothing_and_count_nothing_twice(tmp_path):
    rng = random.Random(5)
    setup = cast_setup_make(voters=VOTERS, lists=3, scrutins=2, seed="faults")
    tasks, alternates = [], {}
    for cs in setup.scrutins:
        for v in setup.voters:
            i = len(tasks)
            tasks.append(
                {"i": i, "voter": v.pk, "scrutin": cs.scrutin.uuid,
                 "ballot": ballot_make(cs, v.pk, rng.randrange(4))}
            )  # fmt: skip
            # What a second device of the same voter would send.
            alternates[i] = ballot_make(cs, v.pk, rng.randrange(4))
    rng.shuffle(tasks)
    receipts: dict[int, str] = {}  # task -> tracker shown to the voter
    final_errors: dict[int, str] = {}
    switched: set[int] = set()
    kills: Counter[str] = Counter()
    schedule = [p for p in POINTS for _ in range(KILLS_PER_POINT)]
    rng.shuffle(schedule)
    runs = 0
    while True:
        remaining = [t for t in tasks if t["i"] not in receipts and t["i"] not in final_errors]
        if not remaining:
            break
        point = schedule.pop() if schedule else ""
        path = tmp_path / f"tasks{runs}.json"
        path.write_text(json.dumps(remaining))
        proc = run_child(path, URNE_CAST_FAULT=point, URNE_CAST_FAULT_AFTER=str(rng.randint(1, 12)))
        runs += 1
        assert runs < 200, "no progress"
        done = 0
        for line in proc.stdout.splitlines():
            out = json.loads(line)
            done += 1
            if "tracker" in out:
                receipts[out["i"]] = out["tracker"]
            elif out["error"] == "already_voted" and out["i"] in switched:
                final_errors[out["i"]] = out["error"]  # the first device's ballot went in
            else:
                pytest.fail(f"unexpected refusal {out} (run {runs}, point {point})")
        if proc.returncode == -9:
            assert f"FAULT {point}" in proc.stderr
            kills[point] += 1
            # The cast in flight when the process died: sometimes the voter's other device
            # sends another ballot; sometimes recovery runs before the resend.
            victim = remaining[done]
            if rng.random() < 0.3 and victim["i"] not in switched:
                switched.add(victim["i"])
                victim["ballot"] = alternates[victim["i"]]
            if rng.random() < 0.5:
                emargement_recover(older_than=timedelta(0))
        else:
            assert proc.returncode == 0, proc.stderr[-3000:]
    emargement_recover(older_than=timedelta(0))

    assert all(kills[p] == KILLS_PER_POINT for p in POINTS), kills
    check_stores(setup, receipts, tmp_path, VOTERS)
    print(f"{len(tasks)} casts, {runs} processes, kills {dict(kills)}, {len(switched)} switched")
