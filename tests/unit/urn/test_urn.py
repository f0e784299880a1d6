"""The urn store: the setup and ballots as records and events, the archive byte-exact, the
running tally, one ballot per credential."""

import pytest

from factories.booth import ballot_make, cast_setup_make
from urne.crypto.archive import ArchiveWriter, read_records
from urne.crypto.ballot import parse_ballot
from urne.crypto.encoding import dumps, loads
from urne.crypto.tally import compute_encrypted_tally, tally_text
from urne.urn.models import UrnBallot, UrnEvent, UrnScrutin
from urne.urn.selectors import urn_archive_bytes, urn_election, urn_trackers
from urne.urn.services import UrnError, urn_ballot_append, urn_setup
from urne.verify.checks import verify_archive

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])


def _append(cs, ballot):
    return urn_ballot_append(
        scrutin_uuid=cs.scrutin.uuid, ballot=parse_ballot(ballot), ballot_text=ballot
    )


def _reference(cs, ballots):
    """The archive ArchiveWriter makes from the same setup and ballots, same timestamp."""
    head = UrnScrutin.objects.using("urn").get(uuid=cs.scrutin.uuid)
    records = read_records(urn_archive_bytes(scrutin_uuid=cs.scrutin.uuid))
    election, trustees, creds = (r.body.decode() for r in records[1:4])
    writer = ArchiveWriter(timestamp=head.timestamp)
    writer.setup(election, trustees, creds)
    for b in ballots:
        writer.ballot(b)
    return writer.to_bytes()


def test_setup_then_ballots_give_the_archive_of_archive_writer_byte_for_byte(tmp_path):
    setup = cast_setup_make(voters=4, lists=9)
    cs = setup.scrutins[0]
    ballots = [ballot_make(cs, v.pk, i % 10) for i, v in enumerate(setup.voters)]
    assert urn_archive_bytes(scrutin_uuid=cs.scrutin.uuid) == _reference(cs, [])
    for b in ballots:
        assert _append(cs, b).new
    data = urn_archive_bytes(scrutin_uuid=cs.scrutin.uuid)
    assert data == _reference(cs, ballots)
    path = tmp_path / "urn.bel"
    path.write_bytes(data)
    report = verify_archive(str(path), jobs=1)
    assert report.valid, report.failures
    assert report.ballots == 4
    events = list(UrnEvent.objects.using("urn").order_by("height").values_list("type", flat=True))
    assert events == ["Setup", "Ballot", "Ballot", "Ballot", "Ballot"]


def test_running_tally_equals_the_tally_of_all_ballots():
    setup = cast_setup_make(voters=5, lists=3)
    cs = setup.scrutins[0]
    ballots = [ballot_make(cs, v.pk, i % 4) for i, v in enumerate(setup.voters)]
    for b in ballots[:2]:
        _append(cs, b)
    # Another process appended meanwhile: the in-process cache must not be trusted.
    from urne.urn import services

    services._tallies.clear()
    for b in ballots[2:]:
        _append(cs, b)
    expected, count, _ = compute_encrypted_tally(
        cs.election, [(parse_ballot(b), 1) for b in ballots]
    )
    head = UrnScrutin.objects.using("urn").get(uuid=cs.scrutin.uuid)
    assert head.tally == tally_text(expected)
    assert head.ballots == count == 5


def test_same_ballot_twice_is_one_ballot_and_another_ballot_of_the_credential_is_refused():
    setup = cast_setup_make(voters=1)
    cs = setup.scrutins[0]
    voter = setup.voters[0].pk
    first = ballot_make(cs, voter, 1)
    assert _append(cs, first).new
    again = _append(cs, first)
    assert not again.new and again.tracker == parse_ballot(first).tracker
    with pytest.raises(UrnError) as exc:
        _append(cs, ballot_make(cs, voter, 2))
    assert exc.value.code == "credential_used"
    assert UrnBallot.objects.using("urn").count() == 1


def test_unknown_scrutin_is_refused():
    setup = cast_setup_make(voters=1)
    cs = setup.scrutins[0]
    b = ballot_make(cs, setup.voters[0].pk)
    with pytest.raises(UrnError):
        urn_ballot_append(scrutin_uuid="x" * 14, ballot=parse_ballot(b), ballot_text=b)


def test_setup_is_idempotent_and_a_different_setup_is_refused():
    setup = cast_setup_make(voters=1)
    cs = setup.scrutins[0]
    records = read_records(urn_archive_bytes(scrutin_uuid=cs.scrutin.uuid))
    election, trustees, creds = (r.body.decode() for r in records[1:4])
    urn_setup(
        scrutin_uuid=cs.scrutin.uuid, election=election, trustees=trustees, public_credentials=creds
    )
    assert UrnScrutin.objects.using("urn").count() == 1
    with pytest.raises(UrnError):
        urn_setup(
            scrutin_uuid=cs.scrutin.uuid,
            election=election,
            trustees=trustees,
            public_credentials=dumps(loads(creds)[:1]),
        )
    with pytest.raises(UrnError):
        urn_setup(
            scrutin_uuid="y" * 14, election=election, trustees=trustees, public_credentials=creds
        )


def test_election_is_read_back_and_trackers_are_searchable():
    setup = cast_setup_make(voters=3)
    cs = setup.scrutins[0]
    assert urn_election(scrutin_uuid=cs.scrutin.uuid).raw == cs.election.raw
    assert urn_election(scrutin_uuid="z" * 14) is None
    trackers = [_append(cs, ballot_make(cs, v.pk)).tracker for v in setup.voters]
    listed = list(urn_trackers(scrutin_uuid=cs.scrutin.uuid).values_list("tracker", flat=True))
    assert listed == trackers
    found = urn_trackers(scrutin_uuid=cs.scrutin.uuid, query=trackers[1][:10])
    assert trackers[1] in [b.tracker for b in found]


def test_a_setup_written_again_by_another_process_is_read_after_the_recheck_window(monkeypatch):
    """Before the seal a lost key removes a setup and the new ceremony writes another (ADR
    0703), maybe from another process than the one that parsed the old one: that process
    reads the new setup once its parsed copy is older than ELECTION_RECHECK_SECONDS."""
    import dataclasses
    import time

    from urne.urn import selectors

    setup = cast_setup_make(voters=1, lists=2)
    cs = setup.scrutins[0]
    old = urn_election(scrutin_uuid=cs.scrutin.uuid)
    assert old is not None and old.raw == cs.election.raw
    head = UrnScrutin.objects.using("urn").get(uuid=cs.scrutin.uuid)
    records = read_records(urn_archive_bytes(scrutin_uuid=cs.scrutin.uuid))
    trustees, creds = (r.body.decode() for r in records[2:4])
    # Another process: the row deleted and written again, this process's caches untouched.
    head.delete(using="urn")
    new_raw = dumps(dataclasses.replace(cs.election, name="après la perte").to_json())
    urn_setup(
        scrutin_uuid=cs.scrutin.uuid, election=new_raw, trustees=trustees, public_credentials=creds
    )
    now = time.monotonic()
    monkeypatch.setattr(selectors.time, "monotonic", lambda: now + 1)
    assert urn_election(scrutin_uuid=cs.scrutin.uuid) is old  # inside the window
    monkeypatch.setattr(
        selectors.time, "monotonic", lambda: now + selectors.ELECTION_RECHECK_SECONDS + 1
    )
    fresh = urn_election(scrutin_uuid=cs.scrutin.uuid)
    assert fresh is not None and fresh.raw == new_raw and fresh.name == "après la perte"
