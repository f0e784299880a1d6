"""The error pages (404, 500, 403, 400, CSRF failure) are the theme's, in French or English,
say what happened and what to do, link home and to the assistance, and show no error detail.
A test-only urlconf (this module) adds views that fail, in front of the site's own URLs."""

import pytest
from django.conf.urls.i18n import i18n_patterns
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

from factories.elections import election_make
from urne.site.urls import urlpatterns as site_urlpatterns

DETAIL = "détail-interne-0xC0FFEE"  # what a failing view knows and a visitor must never see


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(DETAIL)


def _not_found(request: HttpRequest) -> HttpResponse:
    raise Http404(DETAIL)


def _denied(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied(DETAIL)


def _suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation(DETAIL)


urlpatterns = [
    *i18n_patterns(
        path("essai/panne/", _boom),
        path("essai/absent/", _not_found, name="essai-absent"),  # named: translate_url needs it
        path("essai/interdit/", _denied),
        path("essai/suspect/", _suspicious),
        path("backoffice/essai/interdit/", _denied),
        prefix_default_language=False,
    ),
    *site_urlpatterns,
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False  # Django's own debug pages otherwise


def _page(response) -> str:
    text = response.content.decode()
    assert text.count("<h1") == 1
    assert DETAIL not in text and "Traceback" not in text and "RuntimeError" not in text
    assert 'href="/"' in text or 'href="/en/"' in text  # home
    return text


def test_unknown_url_is_the_themed_404_in_french(client):
    response = client.get("/page-qui-n-existe-pas/")
    assert response.status_code == 404
    text = _page(response)
    assert '<html lang="fr">' in text
    assert "<title>Page introuvable – Élections professionnelles</title>" in text
    assert "<h1>Page introuvable</h1>" in text
    assert '<a class="button" href="/">Retour à l’accueil</a>' in text
    assert 'href="/aide/"' in text and 'href="/assistance/"' in text
    assert "Demande d'assistance" in text
    assert "/static/theme/urne.css" in text
    assert "page-qui-n-existe-pas" not in text  # the path is not echoed
    # A request: the language switch is there, leading home (an unknown path has no English).
    assert 'class="language-switch"' in text and 'name="next" type="hidden" value="/"' in text


def test_unknown_url_is_the_themed_404_in_english(client):
    client.cookies.load({"django_language": "en"})
    response = client.get("/en/page-that-does-not-exist/")
    assert response.status_code == 404
    text = _page(response)
    assert '<html lang="en">' in text
    assert "<h1>Page not found</h1>" in text
    assert "matches no page of this site" in text and "copy all of it into your browser" in text
    assert '<a class="button" href="/en/">Back to the home page</a>' in text
    assert 'href="/en/aide/"' in text and 'href="/en/assistance/"' in text
    assert "Introuvable" not in text and "introuvable" not in text


def test_a_view_s_own_404_shows_no_detail(client):
    response = client.get("/essai/absent/")
    assert response.status_code == 404
    text = _page(response)
    assert "<h1>Page introuvable</h1>" in text
    # A known path: the language switch comes back to it, in the other language.
    assert 'name="next" type="hidden" value="/essai/absent/"' in text
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/essai/absent/"})
    assert response["Location"] == "/en/essai/absent/"


@pytest.mark.parametrize(
    ("url", "lang", "title", "advice"),
    [
        ("/essai/panne/", "fr", "Une erreur s’est produite", "Réessayez dans quelques minutes"),
        ("/en/essai/panne/", "en", "An error occurred", "Try again in a few minutes"),
    ],
)
def test_a_failing_view_gives_the_themed_500(client, url, lang, title, advice):
    client.raise_request_exception = False
    response = client.get(url)
    assert response.status_code == 500
    text = _page(response)
    assert f'<html lang="{lang}">' in text
    assert f"<h1>{title}</h1>" in text and advice in text
    # Rendered with no request: no language switch (it needs the path and a CSRF token).
    assert "language-switch" not in text and "csrfmiddlewaretoken" not in text


def test_500_renders_with_an_empty_context_and_no_database(django_assert_num_queries):
    # What Django does when things are broken: the template alone, no request.
    from django.template import loader

    with django_assert_num_queries(0):
        text = loader.get_template("500.html").render()
    assert "<h1>Une erreur s’est produite</h1>" in text and 'href="/assistance/"' in text


def test_permission_denied_is_the_themed_403(client):
    response = client.get("/essai/interdit/")
    assert response.status_code == 403
    text = _page(response)
    assert "<h1>Accès refusé</h1>" in text
    assert "Espace de gestion" not in text  # a voter's page: no back-office link


def test_staff_403_links_to_the_back_office(client):
    response = client.get("/en/backoffice/essai/interdit/")
    assert response.status_code == 403
    text = _page(response)
    assert "<h1>Access denied</h1>" in text
    assert "check that you are signed in with the right account" in text
    assert "Error code: 403" in text and "Need help?" in text
    assert 'href="/en/backoffice/">Back office</a>' in text


def test_a_suspicious_request_is_the_themed_400(client):
    response = client.get("/essai/suspect/")
    assert response.status_code == 400
    assert "<h1>Demande incorrecte</h1>" in _page(response)


def test_an_unknown_host_is_the_themed_400(client):
    response = client.get("/", HTTP_HOST="intrus.example")
    assert response.status_code == 400
    text = _page(response)
    assert "<h1>Demande incorrecte</h1>" in text and "intrus.example" not in text


@pytest.mark.parametrize(
    ("url", "title", "advice"),
    [
        (
            "/compte/connexion/",
            "Session expirée",
            "Votre session a expiré ou la page a été ouverte trop longtemps",
        ),
        (
            "/en/compte/connexion/",
            "Session expired",
            "Your session has expired or the page was left open too long",
        ),
    ],
)
def test_a_voter_form_posted_without_its_token_is_the_themed_csrf_page(url, title, advice):
    election_make(name="Élections 2022", style="2022")
    client = Client(enforce_csrf_checks=True)
    assert client.get(url).status_code == 200  # the form, and its CSRF cookie
    response = client.post(url, {"email": "anne.durand@ac-lyon.fr"})
    assert response.status_code == 403
    text = _page(response)
    assert f"<h1>{title}</h1>" in text and advice in text
    assert "CSRF" not in text and "anne.durand" not in text  # Django's reason is not shown
    # The page sets a fresh token: back on the form, a reload is enough to send it again.
    token = client.cookies["csrftoken"].value
    response = client.post(url, {"email": "", "csrfmiddlewaretoken": token})
    assert response.status_code == 200


@override_settings(ROOT_URLCONF="urne.site.urls")
def test_the_site_s_own_urlconf_uses_the_themed_pages(client):
    response = client.get("/nulle-part/")
    assert response.status_code == 404 and "<h1>Page introuvable</h1>" in _page(response)
