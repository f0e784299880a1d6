"""Who is on a roll (`urne.elections.eligibility`): the queryset, the in-memory check, the
cast's SQL, the authority's codes and the preview agree, before publication (rules and
adjustments) and after it (the published roll, until the next publication)."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from factories.elections import election_make, scrutin_make, staff_login, staff_make, voter_make
from urne.audit.models import AuditEvent
from urne.authority.models import PublicCredential
from urne.authority.services import credentials_generate
from urne.booth.services import cast_context
from urne.elections.eligibility import (
    RollFacts,
    on_roll,
    roll_computed,
    roll_decide,
    roll_voters,
    rules_preview,
    voter_perimeter,
    voter_scrutins,
)
from urne.elections.models import Scrutin
from urne.elections.services import roll_adjust, rolls_publish
from urne.portal.selectors import portal_scrutins

pytestmark = pytest.mark.django_db(databases=["default", "authority"])


def facts(**kw):
    base = {
        "same_election": True,
        "published": False,
        "in_published_roll": False,
        "adjustment": None,
        "category_votes": True,
        "perimeter_matches": True,
    }
    return RollFacts(**{**base, **kw})


def test_the_rule():
    assert roll_decide(facts())
    assert not roll_decide(facts(same_election=False))
    assert not roll_decide(facts(category_votes=False))
    assert not roll_decide(facts(perimeter_matches=False))
    assert roll_decide(facts(category_votes=False, adjustment="add"))
    assert not roll_decide(facts(adjustment="remove"))
    # Published: the published roll only, whatever the rules and adjustments say now.
    assert not roll_decide(facts(published=True, adjustment="add"))
    assert roll_decide(facts(published=True, in_published_roll=True, adjustment="remove"))
    assert not roll_decide(facts(published=True, in_published_roll=True, same_election=False))


def test_perimeter_at_each_level():
    fields = {"academie": "Lyon", "departement": "69"}
    assert voter_perimeter("national", **fields) == ""
    assert voter_perimeter("academie", **fields) == "Lyon"
    assert voter_perimeter("departement", **fields) == "69"


@pytest.fixture
def world():
    election = election_make()
    names = [("CTM", ""), ("CTA", "Lyon"), ("CTA", "Paris"), ("CAPD PE", "69"), ("CAPD PE", "75")]
    scrutins = {f"{c} {p}".strip(): scrutin_make(election, c, p) for c, p in names}
    voters = {
        "a": voter_make(election),  # PE, Lyon, 69
        "b": voter_make(election, academie="Paris", departement="75"),
        "c": voter_make(election, "PES"),
    }
    manager = staff_make("manager")
    roll_adjust(actor=manager, scrutin=scrutins["CTA Paris"], voter=voters["a"], kind="add",
                reason="Affecté à Paris au 1er septembre")  # fmt: skip
    roll_adjust(actor=manager, scrutin=scrutins["CTM"], voter=voters["b"], kind="remove",
                reason="Détaché hors du ministère")  # fmt: skip
    other = election_make(name="other")
    outsider = scrutin_make(other, "CTM")
    return election, scrutins, voters, manager, outsider, voter_make(other)


def rolls_read(election, scrutins, voters, outsider, stranger):
    """Each scrutin's roll (names of its voters), after checking every reader gives it: the
    queryset, the voter's scrutins (booth, portal), `on_roll`, the cast's SQL and the
    authority's codes."""
    everyone = {**voters, "stranger": stranger}
    names = {v.pk: n for n, v in everyone.items()}
    # Fresh rows, as a request reads them (a scrutin keeps the election it was loaded with).
    every = {label: Scrutin.objects.get(pk=s.pk) for label, s in scrutins.items()}
    every["outsider"] = outsider
    rolls = {
        label: {names[pk] for pk in roll_voters(s).values_list("pk", flat=True)}
        for label, s in every.items()
    }
    assert rolls["outsider"] == {"stranger"}
    credentials_generate(election=election, actor="tests", spares=0)
    for name, voter in everyone.items():
        voter.refresh_from_db()
        mine = {s.pk for s in voter_scrutins(voter)}
        assert {s.pk for s in portal_scrutins(voter=voter)} == mine
        coded = set(
            PublicCredential.objects.filter(slot__voter_id=voter.pk).values_list(
                "scrutin_uuid", flat=True
            )
        )
        for label, s in every.items():
            expected = name in rolls[label]
            where = (name, label)
            assert (s.pk in mine) is expected, where
            assert on_roll(voter=voter, scrutin=s) is expected, where
            assert cast_context(voter_id=voter.pk, scrutin_uuid=s.uuid).on_roll is expected, where
            if voter.election_id == election.pk:
                assert (s.uuid in coded) is expected, where
    del rolls["outsider"]
    return rolls


ROLLS = {
    "CTM": {"a", "c"},
    "CTA Lyon": {"a", "c"},
    "CTA Paris": {"a", "b"},
    "CAPD PE 69": {"a"},
    "CAPD PE 75": {"b"},
}


def test_before_publication_rules_plus_adjustments(world):
    election, scrutins, voters, _, outsider, stranger = world
    assert rolls_read(election, scrutins, voters, outsider, stranger) == ROLLS
    preview = {str(r.scrutin): r.total for r in rules_preview(election=election).rows}
    assert preview == {label: len(names) for label, names in ROLLS.items()}
    assert cast_context(voter_id=10**9, scrutin_uuid=scrutins["CTM"].uuid).on_roll is False
    assert cast_context(voter_id=voters["a"].pk, scrutin_uuid="N" * 14) is None


def test_after_publication_the_published_roll_until_the_next(world):
    election, scrutins, voters, manager, outsider, stranger = world
    rolls_publish(actor=manager, election=election)
    election.refresh_from_db()
    # After publication: adjustments, a voter who moves (a voter file imported again) and a
    # new voter change the computed roll only.
    roll_adjust(actor=manager, scrutin=scrutins["CTA Lyon"], voter=voters["c"], kind="remove",
                reason="Mutation")  # fmt: skip
    roll_adjust(actor=manager, scrutin=scrutins["CAPD PE 69"], voter=voters["c"], kind="add",
                reason="Décision de la commission")  # fmt: skip
    voters["b"].academie, voters["b"].departement = "Lyon", "69"
    voters["b"].save()
    voters["e"] = voter_make(election)
    assert rolls_read(election, scrutins, voters, outsider, stranger) == ROLLS
    event = AuditEvent.objects.filter(action="roll.add").latest("pk")
    assert event.data["after_publication"] is True
    computed = {
        "CTM": {"a", "c", "e"},
        "CTA Lyon": {"a", "b", "e"},
        "CTA Paris": {"a"},
        "CAPD PE 69": {"a", "b", "c", "e"},
        "CAPD PE 75": set(),
    }
    names = {v.pk: n for n, v in voters.items()}
    assert {
        label: {names[pk] for pk in roll_computed(s).values_list("pk", flat=True)}
        for label, s in scrutins.items()
    } == computed
    # The next publication (audited) makes them the roll everyone reads.
    rolls_publish(actor=manager, election=election)
    election.refresh_from_db()
    assert rolls_read(election, scrutins, voters, outsider, stranger) == computed
    assert AuditEvent.objects.filter(action="rolls.publish").count() == 2


def test_adjustments_are_checked_against_the_rules_after_publication_too(world):
    election, scrutins, voters, manager, _, _ = world
    rolls_publish(actor=manager, election=election)
    with pytest.raises(ValidationError):
        roll_adjust(actor=manager, scrutin=scrutins["CTM"], voter=voters["a"], kind="add",
                    reason="x")  # fmt: skip


def test_the_back_office_says_when_an_adjustment_takes_effect(world):
    election, scrutins, voters, manager, _, _ = world
    client = Client()
    staff_login(client, manager)
    url = reverse("backoffice:roll", args=[scrutins["CTA Lyon"].pk])
    data = {"numen": voters["c"].numen, "kind": "remove", "reason": "Mutation"}
    page = client.post(url, data, follow=True).content.decode()
    assert "Correction enregistrée." in page and "prochaine publication" not in page
    rolls_publish(actor=manager, election=election)
    assert "la liste publiée fait foi" in client.get(url).content.decode()
    data = {"numen": voters["a"].numen, "kind": "remove", "reason": "Mutation"}
    page = client.post(url, data, follow=True).content.decode()
    assert "elle prendra effet à leur prochaine publication" in page
    from django.utils import translation

    from urne.backoffice.views import _adjusted_message

    with translation.override("en"):
        assert "takes effect at their next publication" in _adjusted_message(election)
