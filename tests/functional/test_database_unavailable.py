"""A store that cannot be reached is a 503, never a 500 (ADR 0585): the theme's page in French
or English with Retry-After, the JSON error for the cast endpoint, no error detail; raised in
a view or in a middleware's response phase alike. The outage is every database access
failing as a stopped server makes it fail (``OperationalError`` on connecting); the real
server stopped under load is tests/faults/test_surge_faults.py."""

import json

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import reverse
from django.utils import translation

from factories.accounts import voter_client_login
from factories.elections import election_make, voter_make
from urne.site.db_unavailable import server_error

pytestmark = pytest.mark.django_db
DETAIL = "connection to server at 127.0.0.1 failed: Connection refused"


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


@pytest.fixture
def voter():
    return voter_make(election_make())


def _server_stops(monkeypatch) -> None:
    def refused(self):
        raise OperationalError(DETAIL)

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refused)


def _client() -> Client:
    return Client(raise_request_exception=False)


def _page(response) -> str:
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert DETAIL not in text and "Traceback" not in text and "OperationalError" not in text
    assert text.count("<h1") == 1 and "/static/theme/urne.css" in text
    return text


def test_a_page_whose_store_is_down_is_the_503_page_in_french(monkeypatch, voter):
    client = _client()
    voter_client_login(client, voter)
    _server_stops(monkeypatch)
    text = _page(client.get(reverse("portal:scrutins")))
    assert '<html lang="fr">' in text
    assert "<h1>Service momentanément indisponible</h1>" in text
    assert "Réessayez dans une minute" in text and "Code de l’erreur : 503" in text
    assert 'href="/assistance/"' in text


def test_a_page_whose_store_is_down_is_the_503_page_in_english(monkeypatch, voter):
    client = _client()
    voter_client_login(client, voter)
    client.cookies.load({"django_language": "en"})
    with translation.override("en"):
        url = reverse("portal:scrutins")
    assert url.startswith("/en/")
    _server_stops(monkeypatch)
    text = _page(client.get(url))
    assert '<html lang="en">' in text
    assert "<h1>Service temporarily unavailable</h1>" in text
    assert "Try again in a minute" in text and "Error code: 503" in text
    assert "indisponible" not in text


def test_the_cast_endpoint_answers_json_503_in_both_languages(monkeypatch, voter):
    client = _client()
    voter_client_login(client, voter)
    _server_stops(monkeypatch)
    body = json.dumps({"scrutin": "x", "ballot": "{}"})
    for language, word in (("fr", "indisponible"), ("en", "unavailable")):
        client.cookies.load({"django_language": language})
        with translation.override(language):
            url = reverse("booth:cast")
        r = client.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN="x")
        assert r.status_code == 503, r.content
        assert r["Content-Type"] == "application/json"
        answer = r.json()
        assert answer["code"] == "unavailable" and word in answer["message"]
        assert DETAIL not in r.content.decode()


def test_the_handler500_answers_503_for_the_database_and_500_for_the_rest(rf):
    """A database error raised in a middleware (the session written in its response phase)
    reaches the site's handler500, not the middleware's process_exception."""
    from django.urls import get_resolver

    handler = get_resolver().resolve_error_handler(500)
    assert handler is server_error
    request = rf.get("/")
    try:
        raise OperationalError(DETAIL)
    except OperationalError:
        response = server_error(request)
    assert "<h1>Service momentanément indisponible</h1>" in _page(response)
    try:
        raise ValueError(DETAIL)
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500 and DETAIL not in response.content.decode()


def test_any_other_error_is_still_the_500_page(monkeypatch, voter):
    client = _client()
    voter_client_login(client, voter)
    monkeypatch.setattr(
        BaseDatabaseWrapper, "ensure_connection", lambda self: (_ for _ in ()).throw(ValueError())
    )
    response = client.get(reverse("portal:scrutins"))
    assert response.status_code == 500
    assert "Une erreur s’est produite" in response.content.decode()
