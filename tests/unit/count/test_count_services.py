"""The count's services: the opening's gate and the tally written to the urn, every refused
upload (nothing stored), the result once the president and two delegates have decrypted, the
émargement check that stops a tampered urn, and the proclamation."""

import pytest

from factories.booth import ballot_make
from factories.count import count_world_make, holder_bundle, vote_end
from factories.elections import staff_make
from urne.audit.models import AuditEvent
from urne.bureau.control import vote_freeze
from urne.count.errors import CountError
from urne.count.models import DecryptionUpload, ScrutinCount
from urne.count.services import count_open, decryptions_upload, result_proclaim
from urne.crypto.ballot import parse_ballot
from urne.crypto.encoding import dumps, loads
from urne.crypto.tally import compute_encrypted_tally, tally_text
from urne.decryptions import bundle_dumps
from urne.urn.models import UrnBallot, UrnEvent, UrnRecord, UrnScrutin
from urne.urn.selectors import urn_archive_bytes, urn_count_state, urn_election
from urne.urn.services import UrnError, urn_ballot_append
from urne.verify.checks import verify_archive

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])


def _refused(code, **kw):
    """Upload and expect refusal ``code``, with nothing stored in either store."""
    uploads = DecryptionUpload.objects.count()
    events = UrnEvent.objects.using("urn").count()
    with pytest.raises(CountError) as info:
        decryptions_upload(**kw)
    assert info.value.code == code, info.value
    assert info.value.message  # a sentence for the page, not a code
    assert DecryptionUpload.objects.count() == uploads
    assert UrnEvent.objects.using("urn").count() == events
    return info.value


def _types(world, i=0):
    head = UrnScrutin.objects.using("urn").get(uuid=world.scrutin(i).uuid)
    return list(
        UrnEvent.objects.using("urn")
        .filter(scrutin=head)
        .order_by("height")
        .values_list("type", flat=True)
    )


@pytest.fixture
def holders(db):
    return [staff_make("bureau")] + [staff_make("delegate") for _ in range(3)]


def test_the_count_opens_only_once_the_vote_is_over_and_no_decryption_before(holders):
    world = count_world_make(over=False)
    with pytest.raises(CountError) as info:
        count_open(election=world.election, actor=holders[0])
    assert info.value.code == "vote_not_over"
    assert not ScrutinCount.objects.exists()
    # Over but not frozen: still refused (the count reads frozen data only).
    vote_end(world, freeze=False)
    with pytest.raises(CountError) as info:
        count_open(election=world.election, actor=holders[0])
    assert info.value.code == "not_frozen"
    assert not ScrutinCount.objects.exists()
    vote_end(world)
    # The vote is over but the count is not open: a decryption is refused.
    bundle = holder_bundle_before_opening(world)
    _refused("count_not_open", election=world.election, actor=holders[0], content=bundle)


def holder_bundle_before_opening(world):
    """A well-formed file for a tally that the server has not written yet."""
    from urne.crypto.tally import compute_partial_decryption, empty_tally

    cs = world.setup.scrutins[0]
    pd = compute_partial_decryption(cs.election, empty_tally(cs.election), world.keys.president_key)
    return bundle_dumps([(cs.scrutin.uuid, 1, dumps(pd.to_json()))]).encode()


def test_opening_recomputes_the_tally_from_the_ballots_and_closes_the_urn(holders):
    world = count_world_make(voters=4)
    outcome = count_open(election=world.election, actor=holders[0])
    assert len(outcome.opened) == 2 and not outcome.refused
    for i, cs in enumerate(world.setup.scrutins):
        assert _types(world, i)[-2:] == ["EndBallots", "EncryptedTally"]
        state = urn_count_state(scrutin_uuid=cs.scrutin.uuid)
        ballots = [
            parse_ballot(r.body)
            for r in UrnRecord.objects.using("urn").filter(
                scrutin__uuid=cs.scrutin.uuid, kind="data", seq__gte=6, seq__lt=6 + 2 * 4
            )
        ]
        expected, _, _ = compute_encrypted_tally(cs.election, [(b, 1) for b in ballots])
        assert state.tally_text == tally_text(expected)
        assert state.num_tallied == 4
        row = ScrutinCount.objects.get(scrutin=cs.scrutin)
        assert (row.tallied, row.emargements_at_opening) == (4, 4)
    # No ballot after the opening; a second opening changes nothing.
    cs = world.setup.scrutins[0]
    text = ballot_make(cs, world.setup.voters[0].pk, 1, spare=True)
    with pytest.raises(UrnError, match="urn_closed"):
        urn_ballot_append(scrutin_uuid=cs.scrutin.uuid, ballot=parse_ballot(text), ballot_text=text)
    before = UrnEvent.objects.using("urn").count()
    count_open(election=world.election, actor=holders[0])
    assert UrnEvent.objects.using("urn").count() == before
    assert AuditEvent.objects.filter(action="count.open").count() == 2


def test_a_running_tally_that_differs_from_the_ballots_stops_that_scrutins_opening(holders):
    world = count_world_make(voters=3)
    head = UrnScrutin.objects.using("urn").get(uuid=world.scrutin(0).uuid)
    other = UrnScrutin.objects.using("urn").get(uuid=world.scrutin(1).uuid)
    head.tally = other.tally  # the kept tally no longer matches the ballots
    head.save(using="urn")
    outcome = count_open(election=world.election, actor=holders[0])
    assert outcome.refused[world.scrutin(0).uuid].code == "tally_mismatch"
    assert [c.scrutin for c in outcome.opened] == [world.scrutin(1)]
    assert _types(world, 0)[-1] == "Ballot"
    assert AuditEvent.objects.filter(action="count.open_refused").count() == 1


def test_every_wrong_upload_is_refused_and_nothing_is_stored(holders):
    world = count_world_make(voters=3)
    count_open(election=world.election, actor=holders[0])
    e = world.election
    # Someone who holds no key of the bureau.
    _refused(
        "not_holder", election=e, actor=staff_make("helpdesk"), content=holder_bundle(world, 0)
    )
    # Not a file of partial decryptions.
    _refused("unreadable", election=e, actor=holders[0], content=b"%PDF-1.4 not json")
    # A wrong key: a secret that is no holder's.
    _refused(
        "wrong_key", election=e, actor=holders[0], content=holder_bundle(world, 0, secret=12345)
    )
    # Another scrutin's decryption filed under this scrutin's uuid.
    a, b = world.scrutin(0).uuid, world.scrutin(1).uuid
    good = loads(holder_bundle(world, 0, uuids=[b]))
    good["decryptions"][0]["uuid"] = a
    _refused("other_scrutin", election=e, actor=holders[0], content=dumps(good).encode())
    # A corrupted proof (one response changed).
    bad = loads(holder_bundle(world, 0))
    pd = loads(bad["decryptions"][0]["partial_decryption"])
    response = pd["decryption_proofs"][0][1]["response"]
    pd["decryption_proofs"][0][1]["response"] = response[:-1] + (
        "1" if response[-1] != "1" else "2"
    )
    bad["decryptions"][0]["partial_decryption"] = dumps(pd)
    _refused("corrupted_proof", election=e, actor=holders[0], content=dumps(bad).encode())
    # A scrutin of another election.
    other = loads(holder_bundle(world, 0, uuids=[a]))
    other["decryptions"][0]["uuid"] = "1111111111111A"
    _refused("unknown_scrutin", election=e, actor=holders[0], content=dumps(other).encode())
    # The president's file, accepted; the same again, refused; the same holder with a
    # delegate's file, refused.
    done = decryptions_upload(election=e, actor=holders[0], content=holder_bundle(world, 0))
    assert done.accepted == {a: 1, b: 1} and not done.results
    assert list(
        DecryptionUpload.objects.filter(scrutin__uuid=a).values_list("trustee", "uploaded_by")
    ) == [(1, holders[0].pk)]
    _refused("already_decrypted", election=e, actor=holders[1], content=holder_bundle(world, 0))
    _refused("same_holder", election=e, actor=holders[0], content=holder_bundle(world, 1))


def test_the_result_comes_once_the_president_and_two_delegates_have_decrypted(holders, tmp_path):
    world = count_world_make(voters=5, lists=3)
    count_open(election=world.election, actor=holders[0])
    e = world.election
    assert not decryptions_upload(
        election=e, actor=holders[2], content=holder_bundle(world, 2)
    ).results
    assert not decryptions_upload(
        election=e, actor=holders[3], content=holder_bundle(world, 3)
    ).results
    # Delegates alone are not enough: the president's key is needed.
    assert ScrutinCount.objects.filter(state="counting").count() == 2
    done = decryptions_upload(election=e, actor=holders[0], content=holder_bundle(world, 0))
    assert sorted(done.results) == sorted(cs.scrutin.uuid for cs in world.setup.scrutins)
    for i, cs in enumerate(world.setup.scrutins):
        row = ScrutinCount.objects.get(scrutin=cs.scrutin)
        expected = [world.choices[cs.scrutin.uuid].count(k) for k in range(4)]
        assert row.state == "result" and row.counts == expected
        assert row.emargements == 5 == sum(row.counts)
        # A tie that reaches the draw leaves the seats to the proclamation (the seed).
        assert row.figures is None or row.figures["pv"]["valid"] == 5 - expected[0]
        assert _types(world, i)[-5:] == [
            "EncryptedTally",
            "PartialDecryption",
            "PartialDecryption",
            "PartialDecryption",
            "Result",
        ]
        path = tmp_path / f"{cs.scrutin.uuid}.bel"
        path.write_bytes(urn_archive_bytes(scrutin_uuid=cs.scrutin.uuid))
        report = verify_archive(str(path), jobs=1)
        assert report.valid, report.failures
    # A late delegate is refused once the result is written.
    _refused("result_done", election=e, actor=holders[1], content=holder_bundle(world, 1))
    row = result_proclaim(scrutin=world.scrutin(0), actor=holders[0], seed="dés : 4 2 6")
    assert row.state == "proclaimed" and row.proclaimed_by == holders[0]
    assert row.figures["pv"]["voters"] == 5 and sum(row.figures["seats"].values()) == 2
    with pytest.raises(CountError, match="already_proclaimed"):
        result_proclaim(scrutin=world.scrutin(0), actor=holders[0])


def _remove_last_ballot(uuid):
    """Take the last ballot out of the urn and rewind its head consistently (chain, tally,
    index): only the émargements can tell."""
    head = UrnScrutin.objects.using("urn").get(uuid=uuid)
    last = UrnEvent.objects.using("urn").get(scrutin=head, height=head.height)
    assert last.type == "Ballot"
    UrnRecord.objects.using("urn").filter(scrutin=head, seq__gte=head.next_seq - 2).delete()
    UrnBallot.objects.using("urn").filter(scrutin=head, height=head.height).delete()
    last.delete()
    head.height -= 1
    head.last_event = last.parent
    head.next_seq -= 2
    head.ballots -= 1
    ballots = [
        (parse_ballot(r.body), 1)
        for r in UrnRecord.objects.using("urn").filter(scrutin=head, kind="data", seq__gte=6)
    ]
    tally, _, _ = compute_encrypted_tally(urn_election(scrutin_uuid=uuid), ballots)
    head.tally = tally_text(tally)
    head.save(using="urn")


def test_a_ballot_added_or_removed_after_the_close_stops_the_proclamation(holders):
    world = count_world_make(voters=4, over=False)
    vote_end(world, freeze=False)
    added, removed = world.scrutin(0), world.scrutin(1)
    # After the close, before the freeze: a ballot slipped into one urn (a spare credential,
    # no émargement), the last ballot taken out of the other. (After the freeze the urn
    # refuses any append, and the freeze's seal names a changed box: tests/unit/bureau.)
    cs = world.setup.scrutins[0]
    text = ballot_make(cs, world.setup.voters[0].pk, 1, spare=True)
    urn_ballot_append(scrutin_uuid=added.uuid, ballot=parse_ballot(text), ballot_text=text)
    _remove_last_ballot(removed.uuid)
    vote_freeze(election=world.election)
    world.election.refresh_from_db()
    count_open(election=world.election, actor=holders[0])
    for h in (0, 1, 2):
        decryptions_upload(
            election=world.election, actor=holders[h], content=holder_bundle(world, h)
        )
    for scrutin, votes in ((added, 5), (removed, 3)):
        row = ScrutinCount.objects.get(scrutin=scrutin)
        assert row.state == "mismatch"
        assert (sum(row.counts), row.emargements) == (votes, 4)
        assert _types(world, 0 if scrutin == added else 1)[-1] == "PartialDecryption"
        with pytest.raises(CountError) as info:
            result_proclaim(scrutin=scrutin, actor=holders[0])
        assert info.value.code == "mismatch"
    assert AuditEvent.objects.filter(action="count.mismatch").count() == 2
