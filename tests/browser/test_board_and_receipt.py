"""The public board and the printable receipt in Chromium (issue 18, item 2): the portal's
frame (header, menu, footer), a labelled tracker search wide enough for a whole tracker, and
a print style sheet: on paper (print media emulated) no header, menu, footer or button — the
receipt's "Imprimer" button among them. Screenshots of each (screen and print) in
test-artifacts/; axe-core on each."""

import json
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from factories.accounts import voter_client_login
from factories.booth import ballot_make, cast_setup_make

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "authority", "urn"])


@pytest.fixture
def voted():
    """One voter who voted (through the cast endpoint, as the booth does) and the tracker."""
    from django.core.cache import cache

    cache.clear()
    world = cast_setup_make(voters=2, lists=3)
    voter, cs = world.voters[0], world.scrutins[0]
    client = Client()
    voter_client_login(client, voter)
    body = json.dumps({"scrutin": cs.scrutin.uuid, "ballot": ballot_make(cs, voter.pk, 1)})
    r = client.post(reverse("booth:cast"), body, content_type="application/json")
    assert r.status_code == 200, r.content
    yield voter, cs, r.json()["tracker"], r.json()["receipt_url"]
    cache.clear()


def _framed(page):
    expect(page.locator("header.site-header")).to_be_visible()
    expect(page.get_by_role("navigation", name="Menu principal")).to_be_visible()
    expect(page.locator("footer.site-footer")).to_be_visible()
    expect(page.get_by_role("link", name="Accessibilité : non conforme")).to_be_visible()


def _on_paper(page, artifacts, name):
    """Print media: nothing to click is left, and a screenshot of what the paper shows."""
    page.emulate_media(media="print")
    for hidden in ("header.site-header", "footer.site-footer", "form[role=search]"):
        for n in range(page.locator(hidden).count()):
            expect(page.locator(hidden).nth(n)).to_be_hidden()
    for n in range(page.locator("button").count()):
        expect(page.locator("button").nth(n)).to_be_hidden()
    page.screenshot(path=str(artifacts / f"{name}-print.png"), full_page=True)
    page.emulate_media(media="screen")


def test_receipt_in_the_frame_and_on_paper(
    voted, page, live_server, voter_login, assert_accessible, artifacts
):
    voter, _, tracker, receipt_url = voted
    voter_login(voter)
    page.goto(live_server.url + receipt_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Accusé de réception de votre vote")
    _framed(page)
    expect(page.locator(".user-nav__name")).to_contain_text(voter.last_name.upper())
    expect(page.locator(".receipt-tracker")).to_have_text(tracker)
    print_button = page.get_by_role("button", name="Imprimer cet accusé de réception")
    expect(print_button).to_be_visible()
    expect(page.get_by_text("Tableau public des bulletins :")).to_be_hidden()  # paper only
    assert_accessible(page, "accuse-de-reception")

    page.emulate_media(media="print")
    expect(print_button).to_be_hidden()
    expect(page.locator(".receipt-tracker")).to_be_visible()
    expect(page.get_by_text("Tableau public des bulletins :")).to_be_visible()
    _on_paper(page, artifacts, "accuse-de-reception")

    # In English too.
    page.goto(live_server.url + "/en" + receipt_url)
    expect(page.get_by_role("navigation", name="Main menu")).to_be_visible()
    expect(page.get_by_role("button", name="Print this receipt")).to_be_visible()
    assert_accessible(page, "receipt-english")


def test_board_during_the_vote_in_the_frame_and_on_paper(
    voted, page, live_server, assert_accessible, artifacts
):
    _, cs, tracker, _ = voted
    url = f"{live_server.url}/bulletins/{cs.scrutin.uuid}/"
    page.goto(url)
    _framed(page)
    field = page.get_by_label("Numéro de suivi de votre bulletin (43 caractères)")
    expect(field).to_be_visible()
    # Wide enough for a whole tracker, in the page's own font size at least.
    box = field.bounding_box()
    assert box is not None and box["width"] >= 380 and box["height"] >= 36, box
    expect(field).to_have_attribute("aria-describedby", "q-help")
    assert_accessible(page, "tableau-pendant-le-vote")
    field.fill(tracker)
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_role("status")).to_contain_text("est dans l'urne")
    assert_accessible(page, "tableau-bulletin-trouve")
    _on_paper(page, artifacts, "tableau-bulletin-trouve")
    # A mistyped tracker: the error is tied to the field.
    page.goto(url + "?" + urlencode({"q": "pas-un-numero"}))
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", "q-help q-error")
    assert_accessible(page, "tableau-erreur")


def test_board_after_the_close_in_the_frame_and_on_paper(
    voted, page, live_server, assert_accessible, artifacts
):
    _, cs, tracker, _ = voted
    election = cs.scrutin.election
    election.vote_opens = timezone.now() - timedelta(days=8)
    election.vote_closes = timezone.now() - timedelta(days=1)
    election.save(update_fields=["vote_opens", "vote_closes"])
    page.goto(f"{live_server.url}/bulletins/")
    _framed(page)
    expect(
        page.get_by_role("link", name="Tableau public des bulletins", exact=True)
    ).to_have_attribute("aria-current", "page")
    assert_accessible(page, "tableau-index")
    page.get_by_role("link", name=str(cs.scrutin.body.name), exact=False).first.click()
    expect(page.locator(".tracker-list")).to_contain_text(tracker)
    field = page.get_by_label("Rechercher un numéro de suivi")
    box = field.bounding_box()
    assert box is not None and box["width"] >= 380, box
    assert_accessible(page, "tableau-apres-cloture")
    field.fill(tracker[:6])
    field.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("1 bulletin correspond")
    _on_paper(page, artifacts, "tableau-apres-cloture")
    expect(page.locator(".tracker-list")).to_be_visible()
