"""The legal pages in Chromium (issue 18, item 8): reached from the footer's links, in
French and English, axe-core on each (no serious or critical violation)."""

import re

import pytest
from playwright.sync_api import expect

from factories.elections import election_make

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("lang", "link", "heading", "url"),
    [
        ("fr", "Accessibilité : non conforme", "Déclaration d'accessibilité", "/accessibilite/"),
        ("fr", "Données personnelles", "Données personnelles", "/donnees-personnelles/"),
        ("en", "Accessibility: not compliant", "Accessibility statement", "/en/accessibilite/"),
        ("en", "Personal data", "Personal data", "/en/donnees-personnelles/"),
    ],
)
def test_legal_page_from_the_footer(lang, link, heading, url, page, live_server, assert_accessible):
    election_make()
    page.goto(live_server.url + ("/en/" if lang == "en" else "/"))
    legal = re.compile("Informations légales|Legal information")
    footer = page.get_by_role("navigation", name=legal)
    footer.get_by_role("link", name=link).click()
    expect(page).to_have_url(live_server.url + url)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page, f"{lang}-{url}")
