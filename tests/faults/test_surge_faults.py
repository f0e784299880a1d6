"""Faults under load (issue 21, item 5), shortened; the long form is ``make bench-faults``.

A private PostgreSQL cluster this module creates (tests/pgcluster.py: initdb in a temporary
folder, its own port, trust on 127.0.0.1 only, run as ``nobody``) holds the three stores;
gunicorn serves the site on it with production's connection handling (surge_settings);
threads post every voter's casts over HTTP, resending as the booth lets a voter do, while
others read the voters' pages in French and English (surgekit.Load). During the load:

- the database server really stopped (``pg_ctl stop -m immediate``) and started again:
  requests in flight and during the outage get the 503 page (both languages) or the cast's
  JSON 503, never a 500; the same workers answer again afterwards (they reconnect by
  themselves, ADR 0585);
- a gunicorn worker SIGKILLed every second or so;
- the SMTP relay (aiosmtpd) down: the receipts and the opening mails wait in the outbox and
  go out once it is back, each exactly once (ADR 0586).

After each: recovery as the task worker runs it, then for every scrutin as many ballots as
émargements as voters, one credential each, the urn's head counting them, every receipt
answered 200 in the urn, the archive verifying (surge_child.py ``check``)."""

from collections import Counter
from collections.abc import Iterator

import pytest
from surgekit import Load, Relay, Surge, database_restart, relay_down, worker_kills

from pgcluster import cluster_folder

# Its own cluster: runs whatever the suite's database (the conftest's skip is for the tests
# on the suite's PostgreSQL).
RUNS_ON_SQLITE = True
pytestmark = pytest.mark.slow

VOTERS = 25  # two scrutins each: 50 casts a test
# The cluster writes to the OS without waiting for the disk: a stopped or killed server
# (not the machine) loses nothing by it, and the migration runs faster. Commits still wait
# for their WAL to be written (synchronous_commit on): a 200 answered is in the urn.
FAST = "fsync = off\nfull_page_writes = off\n"


@pytest.fixture(scope="module")
def surge() -> Iterator[Surge]:
    with cluster_folder("urne-surge-") as folder:
        surge = Surge(folder, FAST)
        try:
            yield surge
        finally:
            surge.close()


def _no_500(surge: Surge) -> None:
    log = surge.server_log()
    assert "Internal Server Error" not in log, log[-3000:]


def test_database_stopped_and_started_under_load(surge):
    world = surge.world_make(voters=VOTERS)
    server = surge.serve()
    workers = sorted(server.worker_pids())
    outages: list[tuple[float, float]] = []
    load = Load(server, world).run(
        database_restart(surge.cluster, after=0.3, down=2.0, log=outages)
    )
    assert not load.errors, load.errors[:5]
    assert len(outages) == 1, "the load ended before the server was stopped"
    # Requests during the outage: the cast's JSON 503, the page's 503 in both languages.
    assert load.counts["cast 503"] > 0 and load.counts["cast dropped"] == 0, load.counts
    assert load.counts["page 503 fr"] > 0 and load.counts["page 503 en"] > 0, load.counts
    # The same workers, reconnected by themselves, answered casts after the restart.
    assert sorted(server.worker_pids()) == workers
    back = outages[0][1]
    assert sum(1 for t in load.answered_at.values() if t > back) > 0
    _no_500(surge)
    checked = surge.check(load)
    assert checked["receipts"] == 2 * VOTERS
    print(f"\ndatabase restart: {dict(load.counts)}, {load.seconds:.1f} s; {checked}")


def test_worker_sigkilled_every_few_seconds_under_load(surge):
    world = surge.world_make(voters=2 * VOTERS)  # long enough for a few kills
    server = surge.serve()
    kills: list[int] = []
    # Every 0.4 s (after a cast answered since the last kill): a few kills even when an idle
    # machine runs the load in under 3 s.
    load = Load(server, world).run(worker_kills(server, every=0.4, log=kills))
    assert not load.errors, load.errors[:5]
    assert len(kills) >= 2, (kills, load.seconds)
    assert load.counts["cast dropped"] > 0, load.counts  # casts in flight died with a worker
    _no_500(surge)
    checked = surge.check(load)
    assert checked["receipts"] == 4 * VOTERS
    print(f"\nworker kills: {len(kills)}, {dict(load.counts)}, {load.seconds:.1f} s; {checked}")


def test_smtp_relay_down_mails_wait_in_the_outbox_and_go_once(surge):
    relay = Relay()  # down: nothing listens on its port yet
    world = surge.world_make(voters=VOTERS)
    server = surge.serve(
        URNE_SMTP_PORT=str(relay.port),
        URNE_MAIL_RETRY_SECONDS="0.5",
        URNE_MAIL_RETRY_MAX_SECONDS="1",
        URNE_MAIL_MAX_ATTEMPTS="30",
    )
    try:
        surge.child("campaign", str(world["election"]))  # the opening mails, relay down
        sweeper = surge.child_start("sweep", "120")  # the task worker's retry sweep
        back: list[float] = []
        load = Load(server, world).run(relay_down(relay, seconds=4.0, log=back))
        _out, err = sweeper.communicate(timeout=180)
        assert sweeper.returncode == 0, err[-3000:]
    finally:
        relay.stop()
    assert not load.errors, load.errors[:5]
    _no_500(surge)
    checked = surge.check(load)
    outbox = checked["outbox"]
    assert not [k for k in outbox if not k.endswith(":sent")], outbox
    answered = set(load.receipts.values())
    receipts = Counter(t for *_, text in relay.messages for t in answered if t in text)
    assert set(receipts) == answered, "a receipt never went out"
    assert set(receipts.values()) == {1}, "a receipt went out twice"
    openings = Counter(
        rcpt for _, rcpt, text in relay.messages if not any(t in text for t in answered)
    )
    assert set(openings) == set(world["emails"]) and set(openings.values()) == {1}, openings
    assert len(relay.messages) == len(answered) + len(world["emails"])
    print(f"\nrelay down: {dict(load.counts)}, {len(relay.messages)} mails; {checked}")
