"""The calendar rules of the portal (docs/product.md, "The calendar"): profile and rolls from
date A, candidate lists from date B, complaints until date C, vote from D to E. Before and
after each window the page says when it opens (or since when it is closed), in Paris time."""

from html import unescape

import pytest
from django.core.cache import cache
from django.urls import reverse

from factories.accounts import voter_client_login
from factories.portal import portal_world_make
from urne.elections.calendar import paris
from urne.elections.models import Complaint

pytestmark = pytest.mark.django_db(databases=["default", "authority"])


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def html(client, name, *args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return unescape(response.content.decode())


def logged(phase, client, **kw):
    w = portal_world_make(phase=phase, **kw)
    voter_client_login(client, w.voter)
    return w


@pytest.mark.parametrize("name", ["portal:profile", "portal:scrutins", "portal:rolls"])
def test_profile_scrutins_rolls_before_date_a(client, name):
    w = logged("setup", client)
    page = html(client, name)
    opens = paris(w.election.rolls_from)
    assert f"Cette rubrique ouvrira le {opens} (heure de Paris)." in page
    assert "CTA Lyon" not in page and "PE et instituteur" not in page


def test_roll_and_scrutin_before_date_a(client):
    w = logged("setup", client)
    uuid = w.scrutins[0].uuid
    for name in ("portal:roll", "portal:scrutin"):
        page = html(client, name, uuid)
        assert "Cette rubrique ouvrira le" in page and "MARTIN Camille</td>" not in page
        assert "DURAND000" not in page


@pytest.mark.parametrize("name", ["portal:profile", "portal:scrutins", "portal:rolls"])
def test_profile_scrutins_rolls_from_date_a(client, name):
    logged("rolls", client)
    page = html(client, name)
    assert "CTA Lyon" in page
    if name != "portal:scrutins":  # that page also announces the candidate lists (date B)
        assert "Cette rubrique ouvrira" not in page


def test_roll_from_date_a(client):
    w = logged("rolls", client)
    assert "DURAND000" in html(client, "portal:roll", w.scrutins[0].uuid)


def test_candidate_lists_before_date_b(client):
    w = logged("rolls", client)
    opens = paris(w.election.lists_from)
    page = html(client, "portal:scrutin", w.scrutins[0].uuid)
    assert f"Cette rubrique ouvrira le {opens} (heure de Paris)." in page
    assert "Liste Alpha CTA" not in page
    listing = html(client, "portal:scrutins")
    assert f"Cette rubrique ouvrira le {opens}" in listing
    pdf = reverse("portal:profession_de_foi", args=[w.scrutins[0].uuid, w.lists[0].pk])
    assert client.get(pdf).status_code == 404


def test_candidate_lists_from_date_b(client):
    w = logged("lists", client)
    page = html(client, "portal:scrutin", w.scrutins[0].uuid)
    assert "Liste Alpha CTA" in page and "Cette rubrique ouvrira" not in page
    pdf = reverse("portal:profession_de_foi", args=[w.scrutins[0].uuid, w.lists[0].pk])
    response = client.get(pdf)
    assert response.status_code == 200
    response.close()


def test_complaints_before_date_a(client):
    w = logged("setup", client)
    page = html(client, "portal:complaint")
    assert f"Cette rubrique ouvrira le {paris(w.election.rolls_from)}" in page
    response = client.post(reverse("portal:complaint"), {"subject": "a", "text": "b"})
    assert response.status_code == 200 and not Complaint.objects.exists()


def test_complaints_open_until_date_c(client):
    w = logged("rolls", client)
    page = html(client, "portal:complaint")
    assert f"Ouvert jusqu'au {paris(w.election.complaints_until)} (heure de Paris)." in page
    response = client.post(reverse("portal:complaint"), {"subject": "a", "text": "b"})
    assert response.status_code == 302 and Complaint.objects.count() == 1


def test_complaints_after_date_c(client):
    w = logged("after_complaints", client)
    closed = paris(w.election.complaints_until)
    page = html(client, "portal:complaint")
    assert f"Cette rubrique est fermée depuis le {closed} (heure de Paris)." in page
    assert "<textarea" not in page
    response = client.post(reverse("portal:complaint"), {"subject": "a", "text": "b"})
    assert response.status_code == 200 and not Complaint.objects.exists()
    profile = html(client, "portal:profile")
    assert f"fermée depuis le {closed}" in profile and "formulaire de demande" in profile


def test_complaint_deadline_is_enforced_by_the_service_too(client):
    """A form opened before the deadline and sent after it is refused."""
    from django.core.exceptions import PermissionDenied

    from urne.portal.services import portal_complaint_file

    w = portal_world_make(phase="after_complaints")
    with pytest.raises(PermissionDenied):
        portal_complaint_file(voter=w.voter, scrutin=None, subject="a", text="b")


def test_vote_before_date_d(client):
    w = logged("lists", client)
    page = html(client, "portal:vote")
    assert f"Cette rubrique ouvrira le {paris(w.election.vote_opens)} (heure de Paris)." in page
    assert "Ouverture du vote dans" in page and 'aria-disabled="true"' in page
    assert f"Ouvert du {paris(w.election.vote_opens)} au {paris(w.election.vote_closes)}" in page


def test_vote_between_d_and_e(client):
    logged("vote", client)
    page = html(client, "portal:vote")
    assert "Fermeture du vote dans" in page and "Cette rubrique ouvrira" not in page


def test_vote_after_date_e(client):
    logged("closed", client)
    page = html(client, "portal:vote")
    assert "Le vote est clos." in page and "Fermeture du vote dans" not in page
    assert "Ouverture du vote dans" not in page


def test_unset_calendar_says_so(client):
    w = portal_world_make(phase="lists")
    w.election.rolls_from = w.election.lists_from = None
    w.election.complaints_until = w.election.vote_opens = w.election.vote_closes = None
    w.election.save()
    voter_client_login(client, w.voter)
    for name in ("portal:profile", "portal:rolls", "portal:complaint"):
        assert "date qui n'est pas encore fixée" in html(client, name)
    assert "Les dates du vote ne sont pas encore fixées." in html(client, "portal:vote")


@pytest.mark.parametrize("style", ["2018", "2022"])
def test_home_announces_each_window(client, style):
    w = logged("setup", client, style=style)
    page = html(client, "portal:home")
    assert f"ouvrira le {paris(w.election.rolls_from)}" in page
    assert f"ouvrira le {paris(w.election.lists_from)}" in page
    assert paris(w.election.vote_opens) in page and paris(w.election.vote_closes) in page
