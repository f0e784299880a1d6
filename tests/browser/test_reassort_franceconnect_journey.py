"""The 2022 réassort by FranceConnect in Chromium, in French and English (seed 004): from
"Saisie du code de vote", "Cliquez ici pour obtenir un réassort…" → the choice → FranceConnect
(a real OpenID provider run locally, tests/oidc/provider.mjs) → back → "Générer un code" →
the new code typed in the booth → a vote. axe on each of our pages."""

from datetime import date

import pytest
from playwright.sync_api import expect

from factories.authority import booth_election_make
from factories.oidc import Provider

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "authority", "urn"]),
    pytest.mark.usefixtures("fresh_cache"),
]

WORDS = {
    "fr": {
        "link": "Cliquez ici pour obtenir un réassort de votre code de vote",
        "choice": "Choix du réassort de votre code de vote",
        "fc": "S'identifier avec FranceConnect",
        "generate": "Générer un code",
        "code": "Code de vote",
        "connect": "Connexion",
        "scrutins": "Mes scrutins",
    },
    "en": {
        "link": "Click here to get a replacement vote code",
        "choice": "Choosing how to replace your vote code",
        "fc": "Identify with FranceConnect",
        "generate": "Generate a code",
        "code": "Vote code",
        "connect": "Log in",
        "scrutins": "My ballots",
    },
}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_franceconnect_reassort_then_vote(
    language, page, live_server, assert_accessible, voter_login, settings
):
    words = WORDS[language]
    prefix = "" if language == "fr" else "/en"
    provider = Provider(
        people={
            "amandine": {
                "given_name": "Amandine",
                "family_name": "Leroux",
                "birthdate": "1980-04-02",
                "gender": "female",
                "birthplace": "2A004",
                "birthcountry": "99100",
            }
        },
        public_url=live_server.url,
    )
    try:
        settings.URNE_PUBLIC_URL = live_server.url
        settings.URNE_FRANCECONNECT = provider.settings()
        _e, _scrutins, voters, _cset = booth_election_make(voters=1)
        voter = voters[0]
        voter.last_name, voter.first_name, voter.birth_date = "LEROUX", "Amandine", date(1980, 4, 2)
        voter.save()
        voter_login(voter)
        page.goto(live_server.url + prefix + "/vote/")
        page.get_by_role("link", name=words["link"]).click()
        expect(page.get_by_role("heading", name=words["choice"])).to_be_visible()
        assert_accessible(page, f"choix-du-reassort-{language}")
        page.get_by_role("link", name=words["fc"]).click()
        # FranceConnect's own page (the local provider): log in at the eIDAS level asked.
        page.get_by_label("Identifiant").fill("amandine")
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_role("heading", name=words["generate"])).to_be_visible()
        assert_accessible(page, f"generer-un-code-{language}")
        page.get_by_role("button", name=words["generate"]).click()
        code = page.locator("#new-code").inner_text()
        assert len(code.replace("-", "")) >= 20
        assert_accessible(page, f"nouveau-code-{language}")

        page.goto(live_server.url + prefix + "/vote/")
        page.get_by_role("textbox", name=words["code"]).fill(code)
        page.get_by_role("button", name=words["connect"], exact=True).click()
        expect(page.get_by_role("heading", name=words["scrutins"])).to_be_visible()
    finally:
        provider.stop()
