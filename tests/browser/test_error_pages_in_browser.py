"""The error pages in Chromium: the themed 404 in French, its language switch, the 404 in
English; a failing view's 500 (rendered without a request); a voter's login form sent after its
CSRF cookie was lost (the "page ouverte trop longtemps" case). axe-core on each page."""

import pytest
from django.conf.urls.i18n import i18n_patterns
from django.http import HttpRequest, HttpResponse
from django.urls import path
from playwright.sync_api import expect

from factories.elections import election_make
from urne.site.urls import urlpatterns as site_urlpatterns

pytestmark = pytest.mark.django_db(transaction=True)


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("détail interne")


urlpatterns = [
    *i18n_patterns(path("essai/panne/", _boom), prefix_default_language=False),
    *site_urlpatterns,
]


@pytest.fixture(autouse=True)
def _urls(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__


def test_404_in_french_then_english(page, live_server, assert_accessible):
    page.goto(live_server.url + "/page-qui-n-existe-pas/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert_accessible(page, "404 fr")
    page.get_by_role("button", name="English").click()  # an unknown path: the English home
    assert page.url == live_server.url + "/en/"
    page.goto(live_server.url + "/en/page-qui-n-existe-pas/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert page.locator("html").get_attribute("lang") == "en"
    assert_accessible(page, "404 en")
    page.get_by_role("link", name="Back to the home page").click()
    assert page.url == live_server.url + "/en/"


def test_500(page, live_server, assert_accessible):
    response = page.goto(live_server.url + "/essai/panne/")
    assert response.status == 500
    expect(page.get_by_role("heading", level=1)).to_have_text("Une erreur s’est produite")
    expect(page.get_by_role("link", name="Demande d'assistance")).to_have_attribute(
        "href", "/assistance/"
    )
    assert "détail interne" not in page.content()
    assert_accessible(page, "500")


def test_a_form_sent_too_late_gives_the_csrf_page(page, context, live_server, assert_accessible):
    election_make(name="Élections professionnelles 2022", style="2022")
    page.goto(live_server.url + "/compte/connexion/")
    page.get_by_label("Identifiant").fill("camille.martin@ac-dijon.fr")
    context.clear_cookies()  # the browser was closed, or the page stayed open for days
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Session expirée")
    expect(page.locator("main")).to_contain_text("revenez à la page précédente", ignore_case=True)
    assert "CSRF" not in page.content()
    assert_accessible(page, "csrf")
    # What the page says works: back, reload, send again.
    page.go_back()
    page.reload()
    page.get_by_label("Identifiant").fill("camille.martin@ac-dijon.fr")
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Session expirée")
