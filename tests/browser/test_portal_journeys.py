"""The portal journeys of seeds 003–004 in Chromium, up to the "Je vote" entry, in both
styles; axe-core on every page (no serious or critical violation); a screenshot per step in
test-artifacts/."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from factories.portal import portal_world_make
from urne.elections.models import Complaint
from urne.portal.models import AssistanceRequest

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "authority"])


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def go(page, live_server, path):
    response = page.goto(live_server.url + path)
    assert response is not None and response.status == 200, (path, response and response.status)


@pytest.mark.parametrize("style", ["2018", "2022"])
def test_portal_journey(style, page, live_server, assert_accessible, voter_login):
    w = portal_world_make(style=style, phase="lists", roll_size=75)

    # Anonymous: the portal's front page, then the login page it leads to.
    go(page, live_server, "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accès au portail Élections")
    assert_accessible(page, "accueil-anonyme")
    page.get_by_role("link", name="Accéder au portail Élections", exact=True).click()
    expect(page).to_have_url(re.compile(r"/compte/"))
    assert_accessible(page, "connexion")

    # Logged in: the voter's space (seed 003 "Mon espace électeur" / seed 004 portal).
    voter_login(w.voter)
    go(page, live_server, "/")
    expect(page.locator(".user-nav__name")).to_contain_text("MARTIN Camille")
    expect(page.get_by_role("button", name="Déconnexion")).to_be_visible()
    if style == "2018":
        expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace électeur")
    else:
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Bienvenue sur votre portail Élections"
        )
    expect(page.locator(".countdown")).to_be_visible()
    assert_accessible(page, "mon-espace")

    # Practical information.
    page.get_by_role("link", name="Édito").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Édito")
    assert_accessible(page, "edito")
    go(page, live_server, "/aide/")
    page.locator("summary").first.click()
    assert_accessible(page, "faq")
    for slug in ("parcours-electeur", "parcours-de-vote", "reassorts"):
        go(page, live_server, f"/tutoriels/{slug}/")
        assert_accessible(page, f"tutoriel-{slug}")

    # Assistance request, typed with the keyboard.
    go(page, live_server, "/assistance/")
    expect(page.get_by_label("Adresse électronique professionnelle")).to_have_value(w.voter.email)
    page.get_by_role("button", name="Envoyer ma demande").click()  # message missing
    expect(page.locator(".alert--error")).to_be_visible()
    assert_accessible(page, "assistance-erreurs")
    page.get_by_label("Sujet").select_option("account")
    page.get_by_label("Votre message").fill("Je n'ai pas reçu le courriel d'ouverture.")
    page.get_by_label("Votre message").press("Tab")
    page.keyboard.press("Enter")  # focus is on the submit button
    expect(page.locator(".alert--success")).to_contain_text("demande d'assistance")
    assert AssistanceRequest.objects.filter(voter=w.voter).count() == 1

    # My voter profile.
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Mon profil électeur" if style == "2018" else "Mon compte"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon profil électeur")
    expect(page.locator(".facts")).to_contain_text("PE et instituteur")
    assert_accessible(page, "profil")

    # My scrutins, one scrutin's lists, a profession de foi.
    go(page, live_server, "/scrutins/")
    expect(page.locator("table")).to_contain_text("CTA")
    assert_accessible(page, "mes-scrutins")
    page.get_by_role("link", name=re.compile("Candidatures – CTA Lyon")).click()
    expect(page.get_by_role("heading", name="Liste Alpha CTA")).to_be_visible()
    assert_accessible(page, "scrutin-listes")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("profession de foi")).first.click()
    assert download.value.suggested_filename.endswith(".pdf")

    # Electoral rolls: pages and search.
    go(page, live_server, "/listes-electorales/")
    assert_accessible(page, "listes-electorales")
    page.get_by_role("link", name=re.compile("CTA Lyon")).click()
    expect(page.locator("p[role=status]")).to_contain_text("75 électeurs inscrits")
    assert_accessible(page, "liste-electorale")
    page.get_by_role("link", name="Page suivante").click()
    expect(page.get_by_text("Page 2 sur 2")).to_be_visible()
    page.get_by_label("Rechercher un nom").fill("mar")
    page.get_by_label("Rechercher un nom").press("Enter")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("MARTIN")
    assert_accessible(page, "liste-electorale-recherche")

    # A complaint, before the deadline.
    go(page, live_server, "/reclamation/")
    assert_accessible(page, "reclamation")
    page.get_by_label("Objet de la réclamation").select_option(label="Mon profil électeur")
    page.get_by_label("Résumé").fill("Mauvais département")
    page.get_by_label("Votre réclamation").fill("Je suis affectée dans le Rhône (69).")
    page.get_by_role("button", name="Envoyer la réclamation").click()
    expect(page.locator(".alert--success")).to_contain_text("réclamation")
    assert Complaint.objects.filter(voter=w.voter).count() == 1
    go(page, live_server, "/profil/")
    expect(page.get_by_role("heading", name="Mes réclamations")).to_be_visible()
    expect(page.locator("tbody")).to_contain_text("Mauvais département")
    assert_accessible(page, "profil-reclamations")

    # "Je vote" before the opening: disabled, with the date it opens.
    go(page, live_server, "/je-vote/")
    expect(page.get_by_text("Ouverture du vote dans")).to_be_visible()
    expect(page.get_by_text("Cette rubrique ouvrira le")).to_be_visible()
    assert_accessible(page, "je-vote-avant")

    # The vote opens: the countdown runs to the close, the entry leads to the booth.
    election = w.election
    now = timezone.now()
    election.vote_opens = now - timedelta(hours=1)
    election.vote_closes = now + timedelta(days=6, hours=5, minutes=30)
    election.save()
    go(page, live_server, "/je-vote/")
    expect(page.get_by_text("Fermeture du vote dans")).to_be_visible()
    expect(page.locator("[data-unit=days]")).to_have_text("06")
    expect(page.locator("[data-unit=hours]")).to_have_text(re.compile("0[45]"))
    expect(page.get_by_text(re.compile(r"Ouvert du .* \(heure de Paris\)"))).to_be_visible()
    assert_accessible(page, "je-vote-ouvert")
    entry = page.locator(".vote-box a.button, .vote-box [aria-disabled=true]").first
    expect(entry).to_contain_text("Je vote")


def test_english_switch_and_keyboard(page, live_server, assert_accessible, voter_login):
    w = portal_world_make(style="2022", phase="vote")
    voter_login(w.voter)
    go(page, live_server, "/")
    # Keyboard only: the first Tab reaches the skip link, which moves focus to the content.
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Aller au contenu")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#contenu$"))
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to your Elections portal")
    expect(page.get_by_text("Voting closes in")).to_be_visible()
    assert_accessible(page, "home-english")
    go(page, live_server, "/en/je-vote/")
    expect(page.get_by_text(re.compile(r"\(Paris time\)"))).to_be_visible()
    assert_accessible(page, "vote-english")
    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")


def test_small_screen(page, live_server, assert_accessible, voter_login):
    w = portal_world_make(style="2018", phase="vote")
    voter_login(w.voter)
    page.set_viewport_size({"width": 375, "height": 740})
    go(page, live_server, "/")
    # No horizontal scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(page, "mobile-accueil")
    go(page, live_server, f"/listes-electorales/{w.scrutins[0].uuid}/")
    assert_accessible(page, "mobile-liste-electorale")


def test_countdown_is_live(page, live_server, voter_login, assert_accessible):
    """The countdown to the close keeps running in the page (seed 004: "Fermeture du vote
    dans 07 Jour(s) 06 Heure(s) 52 Minute(s)"); the browser clock is driven by Playwright."""
    w = portal_world_make(style="2022", phase="vote")
    w.election.vote_closes = timezone.now() + timedelta(days=7, hours=6, minutes=52, seconds=30)
    w.election.save()
    voter_login(w.voter)
    page.clock.install()
    go(page, live_server, "/je-vote/")

    def minutes_left():
        unit = {
            u: int(page.locator(f"[data-unit={u}]").inner_text())
            for u in ("days", "hours", "minutes")
        }
        return unit["days"] * 1440 + unit["hours"] * 60 + unit["minutes"]

    expect(page.locator("[data-unit=days]")).to_have_text("07")
    expect(page.locator("[data-unit=hours]")).to_have_text("06")
    before = minutes_left()
    assert before in (7 * 1440 + 6 * 60 + 52, 7 * 1440 + 6 * 60 + 51)
    page.clock.run_for(3 * 60 * 1000)  # three minutes later
    assert before - minutes_left() in (2, 3, 4)
    assert_accessible(page, "compte-a-rebours")
