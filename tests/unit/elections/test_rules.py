"""Rules "qui vote où": the default table (seed 002 §4), assignment, preview."""

import pytest
from django.core.exceptions import ValidationError

from factories.elections import body, scrutin_make, staff_make, voter_make
from urne.audit.models import AuditEvent
from urne.elections.defaults import RULES_2018
from urne.elections.eligibility import rules_preview, voter_scrutins
from urne.elections.models import VoterCategory
from urne.elections.services import rules_set, scrutins_create_all

pytestmark = pytest.mark.django_db

# The seed's table: category -> "Nombre de scrutins" (last column).
SEED_COUNTS = {
    "AESH-AED": 3,
    "Enseignant contractuel": 3,
    "Directeur adjoint de SEGPA": 5,
    "Directeur écoles d'application et spécialisé": 5,
    "PE et instituteur": 4,
    "PES": 2,
    "PsyEN détaché": 6,
    "PsyEN intégré": 4,
}


def test_default_rule_set_is_the_seed_table(election):
    cats = {
        c.name: sorted(b.code for b in c.bodies.all())
        for c in VoterCategory.objects.filter(election=election)
    }
    assert {name: len(codes) for name, codes in cats.items()} == SEED_COUNTS
    assert cats == {name: sorted(codes) for name, codes in RULES_2018.items()}
    assert cats["PsyEN intégré"] == ["CAPA PsyEN", "CAPN PsyEN", "CTA", "CTM"]


def test_voter_gets_the_scrutin_of_their_perimeter(election):
    ctm = scrutin_make(election, "CTM")
    cta_lyon = scrutin_make(election, "CTA", "Lyon")
    scrutin_make(election, "CTA", "Grenoble")
    capd_69 = scrutin_make(election, "CAPD PE", "69")
    scrutin_make(election, "CAPD PE", "42")
    capn = scrutin_make(election, "CAPN PE")
    pe = voter_make(election, "PE et instituteur", academie="Lyon", departement="69")
    assert voter_scrutins(pe) == [ctm, cta_lyon, capn, capd_69]
    pes = voter_make(election, "PES", academie="Lyon", departement="69")
    assert voter_scrutins(pes) == [ctm, cta_lyon]


def test_every_seed_category_gets_its_number_of_scrutins(election):
    scrutins_create_all(actor="t", election=election)
    for category, count in SEED_COUNTS.items():
        voter = voter_make(election, category, academie="Dijon", departement="21")
        assert len(voter_scrutins(voter)) == count, category


def test_preview_counts_voters_per_scrutin_and_tries_rules_before_saving(election):
    ctm = scrutin_make(election, "CTM")
    cta = scrutin_make(election, "CTA", "Lyon")
    capd = scrutin_make(election, "CAPD PE", "69")
    for _ in range(3):
        voter_make(election, "PE et instituteur")
    voter_make(election, "PES")
    voter_make(election, "PES", academie="Paris", departement="75")  # no CTA Paris here
    preview = rules_preview(election=election)
    counts = {r.scrutin: r.total for r in preview.rows}
    assert counts == {ctm: 5, cta: 4, capd: 3}
    assert preview.uncovered == {"CTA": 1, "CAPN PE": 3}  # no CAPN scrutin created here
    # Proposed rules: PES also vote in the CAPD (not saved).
    pes = VoterCategory.objects.get(election=election, name="PES")
    proposed = {pes.pk: {body(election, "CTM").pk, body(election, "CAPD PE").pk}}
    tried = {r.scrutin: r.total for r in rules_preview(election=election, rules=proposed).rows}
    assert tried == {ctm: 2, cta: 0, capd: 1}
    assert {r.scrutin: r.total for r in rules_preview(election=election).rows} == counts


def test_rules_set_saves_and_audits(election):
    manager = staff_make("manager")
    pes = VoterCategory.objects.get(election=election, name="PES")
    rules_set(actor=manager, election=election, rules={pes.pk: {body(election, "CTM").pk}})
    assert [b.code for b in pes.bodies.all()] == ["CTM"]
    event = AuditEvent.objects.get(action="rules.set")
    assert event.actor == manager.username and event.data == {"changes": {"PES": ["CTM"]}}


def test_rules_are_frozen_once_rolls_are_published(election):
    from urne.elections.services import rolls_publish

    rolls_publish(actor=staff_make("manager"), election=election)
    pes = VoterCategory.objects.get(election=election, name="PES")
    with pytest.raises(ValidationError):
        rules_set(actor="m", election=election, rules={pes.pk: set()})


def test_unknown_perimeter_is_refused(election):
    with pytest.raises(ValidationError):
        scrutin_make(election, "CTA", "Atlantis")
    with pytest.raises(ValidationError):
        scrutin_make(election, "CAPD PE", "Lyon")


def test_scrutin_has_a_belenios_uuid(election):
    from urne.crypto.election import BASE58_ALPHABET as BASE58

    s = scrutin_make(election, "CTM")
    assert len(s.uuid) == 14 and set(s.uuid) <= set(BASE58)
    assert s.substitute_seats == s.titular_seats == body(election, "CTM").default_seats


def test_a_manager_adds_a_2022_body_and_its_rule(election):
    from urne.elections.services import body_create, category_create

    manager = staff_make("manager")
    csa = body_create(
        actor=manager,
        election=election,
        code="CSA",
        name="Comité social d'administration académique",
        level="academie",
        default_seats=10,
    )
    scrutins_create_all(actor=manager, election=election)
    cat = category_create(
        actor=manager, election=election, name="Personnel administratif", bodies=[csa]
    )
    voter = voter_make(election, cat.name, academie="Nantes", departement="44")
    assert [str(s) for s in voter_scrutins(voter)] == ["CSA Nantes"]
    assert AuditEvent.objects.filter(action__in=["body.create", "category.create"]).count() == 2
