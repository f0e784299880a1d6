"""The contract the portal, booth and urn rely on: current_voter, voter_login_required,
accounts:login/logout, voter_client_login."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from factories.accounts import voter_client_login
from factories.elections import voter_make
from urne.accounts.decorators import voter_login_required
from urne.accounts.selectors import current_voter

pytestmark = pytest.mark.django_db


def test_urls_are_under_compte():
    assert reverse("accounts:login") == "/compte/connexion/"
    assert reverse("accounts:logout") == "/compte/deconnexion/"


def test_anonymous_has_no_voter_and_is_redirected_with_next(client):
    @voter_login_required
    def page(request):
        return HttpResponse(str(request.voter.pk))

    request = RequestFactory().get("/portail/x/?a=1")
    request.session = client.session
    assert current_voter(request) is None
    response = page(request)
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/?next=%2Fportail%2Fx%2F%3Fa%3D1")


def test_voter_client_login_gives_the_voter(client, election):
    voter = voter_make(election)
    voter_client_login(client, voter)

    @voter_login_required
    def page(request):
        return HttpResponse(str(current_voter(request).pk))

    request = RequestFactory().get("/x/")
    from importlib import import_module

    from django.conf import settings

    engine = import_module(settings.SESSION_ENGINE)
    request.session = engine.SessionStore(client.cookies[settings.SESSION_COOKIE_NAME].value)
    assert page(request).content == str(voter.pk).encode()


def test_logout_ends_the_session(client, election):
    voter = voter_make(election)
    voter_client_login(client, voter)
    client.post(reverse("accounts:logout"))
    request = RequestFactory().get("/x/")
    request.session = client.session
    assert current_voter(request) is None
