"""The rehearsal (ADR 0752): run on the real configuration, reported, wiped; the seal made
after it over empty urns whose archives verify."""

from __future__ import annotations

import pytest
from tests.factories.seal import seal_make, seal_world_make

from urne.bureau.rehearsal import rehearsal_run, rehearsal_wipe
from urne.bureau.seal import SealError, seal_check
from urne.urn.models import UrnBallot, UrnScrutin

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])


def test_rehearsal_run_reported_wiped_then_the_seal_over_empty_urns() -> None:
    world = seal_world_make(rehearsed=False)
    real = {s.uuid for s in world.scrutins}
    rehearsal = rehearsal_run(election=world.election, actor=world.president, voters=4)
    report = rehearsal.report
    assert report["ok"], report
    assert len(report["scrutins"]) == len(world.scrutins)
    for s, scrutin in zip(report["scrutins"], world.scrutins, strict=True):
        # The real lists, four test ballots: blank, list 1, list 2, blank.
        assert s["lists"] == [cl.label for cl in scrutin.lists.order_by("pk")]
        assert s["expected"] == s["counted"] == [2, 1, 1]
        assert s["archive"]["valid"] and s["archive"]["ballots"] == 4
        assert s["archive"]["stage"] and s["archive"]["result"] == [[2, 1, 1]]
    test_urns = set(rehearsal.urns.values())
    assert not test_urns & real
    assert UrnBallot.objects.using("urn").filter(scrutin__uuid__in=test_urns).count() == 8
    # Nothing reached the real urns.
    assert not UrnBallot.objects.using("urn").filter(scrutin__uuid__in=real).exists()
    # Not sealed while the rehearsal is not wiped.
    with pytest.raises(SealError) as refused:
        seal_make(world)
    assert refused.value.code == "rehearsal_not_wiped"
    with pytest.raises(SealError):
        rehearsal_run(election=world.election, actor=world.president)

    rehearsal = rehearsal_wipe(rehearsal=rehearsal, actor=world.president)
    assert rehearsal.wiped_at is not None
    wipe = rehearsal.wipe_report
    assert wipe["ok"] and wipe["rehearsal_urns_left"] == []
    assert not UrnScrutin.objects.using("urn").filter(uuid__in=test_urns).exists()
    assert {u["uuid"] for u in wipe["urns"]} == real
    assert all(u["empty"] and u["archive"]["valid"] for u in wipe["urns"])

    seal_make(world)
    assert seal_check(election=world.election).ok


def test_only_the_president_runs_it_and_never_after_the_seal() -> None:
    world = seal_world_make(real_rehearsal=True)
    with pytest.raises(SealError) as refused:
        rehearsal_run(election=world.election, actor=world.delegates[0])
    assert refused.value.code == "not_president"
    seal_make(world)
    with pytest.raises(SealError) as refused:
        rehearsal_run(election=world.election, actor=world.president)
    assert refused.value.code == "already_sealed"
