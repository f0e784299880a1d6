"""Concurrent submissions for the same voter and scrutin (two tabs, two devices, a double
click): threads and processes at once give exactly one ballot, and every receipt given is
the ballot in the urn."""

import json
import threading
from datetime import timedelta

import pytest
from django.db import connections
from faultkit import start_child

from factories.booth import ballot_make, cast_setup_make
from urne.booth.models import Emargement
from urne.booth.services import CastError, cast_submit, emargement_recover
from urne.crypto.ballot import parse_ballot
from urne.urn.models import UrnBallot, UrnScrutin

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "authority", "urn"]),
    pytest.mark.slow,
]


def check_one_ballot_each(setup, receipts):
    cs = setup.scrutins[0]
    assert not Emargement.objects.filter(state="pending").exists()
    ballots = dict(
        UrnBallot.objects.using("urn")
        .filter(scrutin__uuid=cs.scrutin.uuid)
        .values_list("credential", "tracker")
    )
    assert len(ballots) == len(setup.voters)
    assert Emargement.objects.filter(scrutin=cs.scrutin, state="voted").count() == len(ballots)
    assert UrnScrutin.objects.using("urn").get(uuid=cs.scrutin.uuid).ballots == len(ballots)
    for voter_id, tracker in receipts:
        assert tracker in ballots.values(), voter_id


def test_threads_same_and_different_ballots_at_once_give_one_ballot():
    # Each thread holds three connections (one per store): keep well under max_connections.
    setup = cast_setup_make(voters=6, lists=3, seed="threads")
    cs = setup.scrutins[0]
    jobs = []
    for v in setup.voters:
        same = ballot_make(cs, v.pk, 1)
        jobs += [(v.pk, same), (v.pk, same), (v.pk, ballot_make(cs, v.pk, 2))]
    barrier = threading.Barrier(len(jobs))
    receipts, errors, lock = [], [], threading.Lock()

    def work(voter_id, ballot):
        try:
            barrier.wait()
            r = cast_submit(voter_id=voter_id, scrutin_uuid=cs.scrutin.uuid, ballot=ballot)
            with lock:
                receipts.append((voter_id, r.tracker))
                assert r.tracker == parse_ballot(ballot).tracker
        except CastError as exc:
            with lock:
                errors.append(exc.code)
        except Exception as exc:  # reported below: a thread must not die silently
            with lock:
                errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=j) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(errors) <= {"already_voted", "in_progress"}, errors
    emargement_recover(older_than=timedelta(0))
    check_one_ballot_each(setup, receipts)
    # Every voter got a receipt from at least one of their tabs.
    assert {v for v, _ in receipts} == {v.pk for v in setup.voters}


def test_processes_sending_the_same_and_other_ballots_at_once_give_one_ballot(tmp_path):
    setup = cast_setup_make(voters=40, lists=3, seed="processes")
    cs = setup.scrutins[0]
    files = []
    for k in range(3):
        tasks = [
            {"i": v.pk, "voter": v.pk, "scrutin": cs.scrutin.uuid,
             "ballot": ballot_make(cs, v.pk, k % 4)}
            for v in setup.voters
        ]  # fmt: skip
        path = tmp_path / f"p{k}.json"
        path.write_text(json.dumps(tasks))
        files.append(path)
    # Two processes with the same ballots (a resend racing the original), one with others.
    files.append(files[0])
    procs = [start_child(f) for f in files]
    receipts, errors = [], []
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err[-3000:]
        for line in out.splitlines():
            o = json.loads(line)
            if "tracker" in o:
                receipts.append((o["i"], o["tracker"]))
            else:
                errors.append(o["error"])
    assert set(errors) <= {"already_voted", "in_progress"}, errors
    emargement_recover(older_than=timedelta(0))
    check_one_ballot_each(setup, receipts)
