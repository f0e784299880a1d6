"""Rolls: rules plus manual additions and removals with a reason; publication."""

import pytest
from django.core.exceptions import ValidationError

from factories.elections import scrutin_make, staff_make, voter_make
from urne.audit.models import AuditEvent
from urne.elections.eligibility import roll_computed, voter_scrutins
from urne.elections.models import RollAdjustment, RollEntry
from urne.elections.services import roll_adjust, rolls_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(election):
    capd = scrutin_make(election, "CAPD PE", "69")
    pe = voter_make(election, "PE et instituteur")
    pes = voter_make(election, "PES")
    return election, capd, pe, pes, staff_make("manager")


def test_roll_follows_rules(setup):
    _e, capd, pe, _pes, _m = setup
    assert list(roll_computed(capd)) == [pe]


def test_addition_and_removal(setup):
    _e, capd, pe, pes, manager = setup
    roll_adjust(actor=manager, scrutin=capd, voter=pes, kind="add", reason="Décision du recteur")
    roll_adjust(actor=manager, scrutin=capd, voter=pe, kind="remove", reason="Détaché")
    assert list(roll_computed(capd)) == [pes]
    assert capd in voter_scrutins(pes) and capd not in voter_scrutins(pe)
    assert AuditEvent.objects.filter(action__in=["roll.add", "roll.remove"]).count() == 2


def test_adjustments_need_a_reason_and_must_change_something(setup):
    _e, capd, pe, pes, manager = setup
    with pytest.raises(ValidationError, match="motif"):
        roll_adjust(actor=manager, scrutin=capd, voter=pes, kind="add", reason="  ")
    with pytest.raises(ValidationError):
        roll_adjust(actor=manager, scrutin=capd, voter=pe, kind="add", reason="déjà inscrit")
    with pytest.raises(ValidationError):
        roll_adjust(actor=manager, scrutin=capd, voter=pes, kind="remove", reason="absent")
    assert not RollAdjustment.objects.exists()


def test_publication_freezes_the_rolls(setup):
    election, capd, pe, pes, manager = setup
    ctm = scrutin_make(election, "CTM")
    counts = rolls_publish(actor=manager, election=election)
    assert counts == {str(capd): 1, str(ctm): 2}
    assert set(RollEntry.objects.filter(scrutin=ctm).values_list("voter", flat=True)) == {
        pe.pk,
        pes.pk,
    }
    # Later changes do not touch the published roll until it is published again.
    voter_make(election, "PES")
    assert RollEntry.objects.filter(scrutin=ctm).count() == 2
    rolls_publish(actor=manager, election=election)
    assert RollEntry.objects.filter(scrutin=ctm).count() == 3
    election.refresh_from_db()
    assert election.rolls_published_at is not None
    assert AuditEvent.objects.filter(action="rolls.publish").count() == 2
