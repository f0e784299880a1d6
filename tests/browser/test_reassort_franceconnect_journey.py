"""The 2022 réassort by FranceConnect in Chromium, in French and English (seed 004): from
"Saisie du code de vote", "Cliquez ici pour obtenir un réassort…" → the choice → FranceConnect
(a real OpenID provider run locally, tests/oidc/provider.mjs) → back → "Générer un code" →
the new code typed in the booth → a vote. axe on each of our pages."""

import logging
from datetime import date

import pytest
from playwright.sync_api import expect

from factories.authority import booth_election_make
from factories.oidc import Provider
from factories.stores import stores_text

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


CHALLENGE = {
    "fr": {
        "challenge": "Répondre à la question Défi",
        "answer": "Saisissez votre réponse secrète",
        "numen": "Saisissez votre NUMEN",
        "email_choice": "Envoi du lien d'activation par E-MAIL",
        "email": "Adresse mail personnelle",
        "send": "Envoyer",
        "sent": "Lien d'activation envoyé",
    },
    "en": {
        "challenge": "Answer the challenge question",
        "answer": "Enter your secret answer",
        "numen": "Enter your NUMEN",
        "email_choice": "Send the activation link by E-MAIL",
        "email": "Personal e-mail address",
        "send": "Send",
        "sent": "Activation link sent",
    },
}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_challenge_reassort_by_email_then_vote(
    language, page, live_server, assert_accessible, voter_login, settings, unlogged
):
    """The challenge path: answer + NUMEN + a personal address; the link arrives through a
    real SMTP server (aiosmtpd); opened in the browser, it leads to "Générer un code"."""
    import re

    from django.contrib.auth.hashers import make_password

    from factories.accounts import smtp_server_start
    from urne.accounts.models import VoterAccount
    from urne.accounts.services import answer_normalise

    words, more = WORDS[language], CHALLENGE[language]
    prefix = "" if language == "fr" else "/en"
    smtp, mailbox = smtp_server_start(settings)
    # The test SMTP server plays the voter's mail provider: it sees the address it delivers
    # to, and its log (aiosmtpd's "mail.log") is not ours; kept out of the server's log.
    provider_log = logging.getLogger("mail.log")
    level = provider_log.level
    provider_log.setLevel(logging.WARNING)
    try:
        settings.URNE_PUBLIC_URL = live_server.url
        _e, _scrutins, voters, _cset = booth_election_make(voters=1)
        voter = voters[0]
        voter_login(voter)
        account = VoterAccount.objects.get(voter=voter)
        account.challenge_question = "book"
        account.challenge_answer = make_password(answer_normalise("Olympique Lyonnais"))
        account.save()
        page.goto(live_server.url + prefix + "/vote/reassort/")
        page.get_by_role("link", name=more["challenge"]).click()
        assert_accessible(page, f"demande-de-reassort-{language}")
        page.get_by_label(more["answer"]).fill("olympique lyonnais")
        page.get_by_label(more["numen"]).fill(voter.numen)
        page.get_by_label(re.compile("^" + re.escape(more["email_choice"]))).check()
        page.get_by_label(more["email"]).fill("camille.perso@exemple-perso.fr")
        page.get_by_role("button", name=more["send"]).click()
        expect(page.get_by_role("heading", name=more["sent"])).to_be_visible()
        assert_accessible(page, f"lien-envoye-{language}")
        (mail,) = mailbox.messages()
        assert mail["To"] == "camille.perso@exemple-perso.fr"
        link = re.search(r"(http\S+#[A-Za-z0-9_-]+)", mail.get_content()).group(1)
        unlogged |= {"camille.perso@exemple-perso.fr", link.split("#", 1)[1]}
        page.goto(link)
        expect(page.get_by_role("heading", name=words["generate"])).to_be_visible()
        page.get_by_role("button", name=words["generate"]).click()
        code = page.locator("#new-code").inner_text()
        page.goto(live_server.url + prefix + "/vote/")
        page.get_by_role("textbox", name=words["code"]).fill(code)
        page.get_by_role("button", name=words["connect"], exact=True).click()
        expect(page.get_by_role("heading", name=words["scrutins"])).to_be_visible()
        # The personal address in no table (the logs: ``unlogged``).
        assert "camille.perso@exemple-perso.fr" not in stores_text()
    finally:
        smtp.stop()
        provider_log.setLevel(level)
