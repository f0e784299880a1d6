"""The candidate lists on the manager's own pages, not the Django admin (issue "Finish the
staff's experience", item 1): the unions, a list's registration for a scrutin with its
candidates and their gender, a joint list and its split key, its change and withdrawal; the
rules (a union once per scrutin, the split key, frozen from the urn's setup or the vote's
opening on) and every change audited field by field (old → new)."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from factories.elections import election_make, scrutin_make, staff_login, staff_make, voter_make
from urne.audit.models import AuditEvent
from urne.authority.models import ScrutinSetup
from urne.elections.models import CandidateList, Election, Union

pytestmark = pytest.mark.django_db(databases=["default", "authority"])

CANDIDATES = "DURAND ; Anne ; F\nMARTIN ; Bruno ; H\nPETIT ; Chloé ; F\nROUX ; David ; M"


@pytest.fixture
def world():
    election = election_make(name="Élections 2026")
    scrutin = scrutin_make(election, "CTA", "Lyon", titular_seats=2, substitute_seats=2)
    voter_make(election, civility="F")
    voter_make(election, civility="M")
    sa = Union.objects.create(election=election, name="Syndicat A", acronym="SA")
    sb = Union.objects.create(election=election, name="Syndicat B", acronym="SB")
    return election, scrutin, sa, sb


@pytest.fixture
def manager(client):
    user = staff_make("manager")
    staff_login(client, user)
    return user


def _text(response):
    return html.unescape(response.text)


def _register(client, election, scrutin, **over):
    data = {"scrutin": scrutin.pk, "label": "SA – SB", "candidates": CANDIDATES} | over
    return client.post(reverse("backoffice:list_add", args=[election.pk]), data)


def test_a_union_is_added_and_audited(client, manager, world):
    election = world[0]
    url = reverse("backoffice:unions", args=[election.pk])
    r = client.post(url, {"name": "Syndicat C", "acronym": "SC"})
    assert r.status_code == 302
    assert Union.objects.filter(election=election, acronym="SC").exists()
    event = AuditEvent.objects.get(action="union.create")
    assert event.data == {"name": "Syndicat C", "acronym": "SC"}
    again = client.post(url, {"name": "Autre", "acronym": "sc"})
    assert again.status_code == 400 and "déjà celui d'une organisation" in _text(again)


def test_a_joint_list_is_registered_with_its_split_key_and_checked(client, manager, world):
    election, scrutin, sa, sb = world
    r = _register(
        client,
        election,
        scrutin,
        **{f"union_{sa.pk}": "on", f"share_{sa.pk}": "60", f"union_{sb.pk}": "on"},
        **{f"share_{sb.pk}": "40"},
    )
    assert r.status_code == 302
    lst = CandidateList.objects.get(scrutin=scrutin)
    assert r["Location"] == reverse("backoffice:candidate_list", args=[lst.pk])
    assert [(c.last_name, c.gender) for c in lst.candidates.order_by("position")] == [
        ("DURAND", "F"),
        ("MARTIN", "M"),
        ("PETIT", "F"),
        ("ROUX", "M"),
    ]
    event = AuditEvent.objects.get(action="list.register")
    assert event.data["unions"] == {"SA": "60.00", "SB": "40.00"}
    page = _text(client.get(r["Location"]))
    # The checks run on the list's page: only its profession de foi is missing.
    assert "SA : 60,00 %" in page and "Profession de foi manquante." in page
    assert "Équilibre" not in page


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"label": " "}, "Ce champ est obligatoire."),
        ({}, "au moins une organisation syndicale"),
        ({"candidates": "DURAND ; Anne"}, "Ligne 1 : « NOM ; Prénom ; F ou H » attendu."),
        ({"candidates": "DURAND ; Anne ; X"}, "Ligne 1 : « NOM ; Prénom ; F ou H » attendu."),
        ({"share_A": "70", "share_B": "40"}, "totaliser 100 %"),
        ({"share_A": "100"}, "déclarer la part de chaque organisation ou d'aucune"),
    ],
)
def test_a_bad_list_is_refused(client, manager, world, over, message):
    election, scrutin, sa, sb = world
    data = {k: v for k, v in over.items() if not k.startswith("share_")}
    if "label" in over or "candidates" in over or "share_A" in over:
        data |= {f"union_{sa.pk}": "on", f"union_{sb.pk}": "on"}
    if "share_A" in over:
        data[f"share_{sa.pk}"] = over["share_A"]
    if "share_B" in over:
        data[f"share_{sb.pk}"] = over["share_B"]
    r = _register(client, election, scrutin, **data)
    assert r.status_code == 400
    assert message in _text(r)
    assert not CandidateList.objects.exists()
    assert not AuditEvent.objects.filter(action="list.register").exists()


def test_a_union_files_one_list_per_scrutin(client, manager, world):
    election, scrutin, sa, _sb = world
    assert _register(client, election, scrutin, **{f"union_{sa.pk}": "on"}).status_code == 302
    r = _register(client, election, scrutin, label="SA bis", **{f"union_{sa.pk}": "on"})
    assert r.status_code == 400 and "L'organisation SA a déjà déposé une liste" in _text(r)
    other = scrutin_make(election, "CTA", "Grenoble")
    assert _register(client, election, other, **{f"union_{sa.pk}": "on"}).status_code == 302


def test_a_change_is_audited_field_by_field(client, manager, world):
    election, scrutin, sa, sb = world
    _register(client, election, scrutin, label="SA", **{f"union_{sa.pk}": "on"})
    lst = CandidateList.objects.get()
    url = reverse("backoffice:list_edit", args=[lst.pk])
    form = _text(client.get(url))
    assert "DURAND ; Anne ; F" in form
    candidates = "DURAND ; Anne ; F\nMARTIN ; Bruno ; H\nROUX ; David ; H\nPETIT ; Chloé ; F"
    data = {"label": "SA – SB", "candidates": candidates}
    data |= {f"union_{sa.pk}": "on", f"share_{sa.pk}": "50"}
    data |= {f"union_{sb.pk}": "on", f"share_{sb.pk}": "50"}
    assert client.post(url, data).status_code == 302
    changes = AuditEvent.objects.get(action="list.update").data["changes"]
    assert changes["label"] == ["SA", "SA – SB"]
    assert changes["unions"] == [{"SA": None}, {"SA": "50.00", "SB": "50.00"}]
    assert changes["candidates"][0][2:] == ["3. PETIT Chloé (F)", "4. ROUX David (M)"]
    assert changes["candidates"][1][2:] == ["3. ROUX David (M)", "4. PETIT Chloé (F)"]
    # The same form again: nothing changed, nothing audited.
    assert client.post(url, data).status_code == 302
    assert AuditEvent.objects.filter(action="list.update").count() == 1


def test_a_list_is_withdrawn_and_audited(client, manager, world):
    election, scrutin, sa, _sb = world
    _register(client, election, scrutin, label="SA", **{f"union_{sa.pk}": "on"})
    lst = CandidateList.objects.get()
    r = client.post(reverse("backoffice:list_edit", args=[lst.pk]), {"action": "withdraw"})
    assert r.status_code == 302
    assert not CandidateList.objects.exists()
    changes = AuditEvent.objects.get(action="list.withdraw").data["changes"]
    assert changes["label"] == ["SA", None] and changes["unions"] == [{"SA": None}, None]


def _frozen_by(kind, election, scrutin):
    if kind == "urn":
        ScrutinSetup.objects.create(
            election_id=election.pk, scrutin_uuid=scrutin.uuid, credentials=0
        )
    else:
        Election.objects.filter(pk=election.pk).update(
            vote_opens=timezone.now() - timedelta(hours=1),
            vote_closes=timezone.now() + timedelta(days=2),
        )


@pytest.mark.parametrize("kind", ["urn", "vote"])
def test_lists_are_frozen_from_the_urns_setup_or_the_votes_opening(client, manager, world, kind):
    election, scrutin, sa, sb = world
    _register(client, election, scrutin, label="SA", **{f"union_{sa.pk}": "on"})
    lst = CandidateList.objects.get()
    _frozen_by(kind, election, scrutin)
    message = {"urn": "L'urne de ce scrutin est initialisée", "vote": "Le vote est ouvert"}
    r = _register(client, election, scrutin, label="SB", **{f"union_{sb.pk}": "on"})
    assert r.status_code == 400 and message[kind] in _text(r)
    edit = reverse("backoffice:list_edit", args=[lst.pk])
    assert message[kind] in _text(client.get(edit))
    data = {"label": "SA 2", "candidates": CANDIDATES, f"union_{sa.pk}": "on"}
    assert client.post(edit, data).status_code == 400
    withdrawn = client.post(edit, {"action": "withdraw"}, follow=True)
    assert message[kind] in _text(withdrawn)
    lst.refresh_from_db()
    assert lst.label == "SA" and CandidateList.objects.count() == 1
    assert not AuditEvent.objects.filter(action__in=["list.update", "list.withdraw"]).exists()


def test_the_auditor_reads_and_changes_nothing(client, world):
    election, scrutin, sa, _sb = world
    staff_login(client, staff_make("auditor"))
    assert client.get(reverse("backoffice:unions", args=[election.pk])).status_code == 200
    assert client.post(reverse("backoffice:unions", args=[election.pk]), {}).status_code == 403
    assert client.get(reverse("backoffice:list_add", args=[election.pk])).status_code == 403
    r = _register(client, election, scrutin, **{f"union_{sa.pk}": "on"})
    assert r.status_code == 403 and not CandidateList.objects.exists()
