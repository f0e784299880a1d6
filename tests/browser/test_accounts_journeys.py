"""Account journeys of the seeds in Chromium, in both styles, up to the portal home: opening
link, password creation with the rules shown live, activation (2022) or not, login, logout,
forgotten password (seed 000), wrong inputs. axe-core on every page (no serious or critical
violation) and a screenshot of each step in test-artifacts/."""

import re

import pytest
from playwright.sync_api import expect

from factories.accounts import mail_clear, mail_outbox, voter_with_email
from factories.elections import election_make
from urne.accounts.captcha import code_from_token
from urne.accounts.models import VoterAccount

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD_2018 = "Motdepasse7"  # noqa: S105 - test passwords
PASSWORD_2022 = "Mon-Mot-de-passe-2022"  # noqa: S105
PW = re.compile(r"^Mot de passe Élections")  # the label, then " *"
PW_2018 = re.compile(r"^Mot de passe personnel électeur")


@pytest.fixture(autouse=True)
def _clean():
    from django.core.cache import cache

    cache.clear()
    mail_clear()
    yield
    mail_clear()


def _voter(style):
    election = election_make(name=f"Élections professionnelles {style}", style=style)
    return voter_with_email(election, "camille.martin@ac-dijon.fr", last_name="MARTIN")


def _mail_link(live_server, index=-1):
    text = mail_outbox()[index].text
    match = re.search(r"https?://[^/\s]+(/\S+)", text)
    assert match, text
    return live_server.url + match.group(1)


def _solve_captcha(page):
    src = page.locator("img.captcha__image").get_attribute("src")
    token = re.search(r"/captcha/([^/]+)/image\.png", src).group(1)
    page.get_by_label("CAPTCHA").fill(code_from_token(token))


def _rules_met(page):
    return page.locator(".password-rules__list li.is-met").count()


def test_2018_journey(page, live_server, assert_accessible, unlogged):
    unlogged |= {PASSWORD_2018, "Nouveau8z"}
    voter = _voter("2018")
    page.goto(live_server.url + "/compte/connexion/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accès au portail Élections")
    assert_accessible(page, "identification")

    # Wrong input: not an e-mail address.
    page.get_by_label("Identifiant").fill("camille.martin")
    page.get_by_role("button", name="Connexion").click()
    expect(page.locator(".alert--error")).to_contain_text("adresse de messagerie valide")
    assert_accessible(page, "identification-erreur")

    # First identification: the opening link is e-mailed (seed 002).
    page.get_by_label("Identifiant").fill(voter.email)
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Consultez votre messagerie professionnelle"
    )
    assert_accessible(page, "lien-envoye")
    assert mail_outbox()[-1].subject == "Ouverture du portail élections professionnelles"

    # Password creation, the rules ticked as they are met.
    page.goto(_mail_link(live_server))
    expect(page.get_by_role("heading", level=1)).to_have_text("Création de mon mot de passe")
    expect(page.locator(".password-rules__list li")).to_have_count(5)
    assert _rules_met(page) == 0
    page.get_by_label(PW_2018).fill("abc")
    expect(page.locator('li[data-rule="lower"]')).to_have_class(re.compile("is-met"))
    assert _rules_met(page) == 2  # a lower-case letter; not the e-mail
    assert_accessible(page, "mot-de-passe-regles-en-partie")
    page.get_by_label(PW_2018).fill(PASSWORD_2018)
    expect(page.locator(".password-rules__list li.is-met")).to_have_count(5)
    # Show / hide.
    toggle = page.get_by_role("button", name=re.compile("^Afficher mot de passe personnel"))
    toggle.click()
    expect(page.get_by_label(PW_2018)).to_have_attribute("type", "text")
    page.get_by_role("button", name=re.compile("^Masquer mot de passe personnel")).click()
    expect(page.get_by_label(PW_2018)).to_have_attribute("type", "password")
    # A confirmation that differs is refused by the server.
    page.get_by_label(re.compile(r"^Confirmation du mot de passe personnel électeur")).fill(
        PASSWORD_2018 + "x"
    )
    page.get_by_role("button", name="Valider").click()
    expect(page.locator(".alert--error")).to_contain_text("ne sont pas identiques")
    assert_accessible(page, "mot-de-passe-erreur")
    page.get_by_label(PW_2018).fill(PASSWORD_2018)
    page.get_by_label(re.compile(r"^Confirmation du mot de passe personnel électeur")).fill(
        PASSWORD_2018
    )
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace électeur")
    assert_accessible(page, "espace-electeur")

    # Logout, then login with the keyboard only: identifier, then password.
    page.get_by_role("button", name="Déconnexion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accès au portail Élections")
    page.get_by_label("Identifiant").focus()
    page.keyboard.type(voter.email)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Saisie du mot de passe personnel électeur"
    )
    page.get_by_label(PW_2018).fill("Mauvais1")
    page.keyboard.press("Enter")
    expect(page.locator(".alert--error")).to_contain_text("Mot de passe incorrect")
    assert_accessible(page, "connexion-mot-de-passe-erreur")
    page.get_by_label(PW_2018).fill(PASSWORD_2018)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace électeur")

    # Forgotten password (seed 000): two confirmation messages, the e-mailed link, a new one.
    page.get_by_role("button", name="Déconnexion").click()
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mot de passe oublié")
    assert_accessible(page, "mot-de-passe-oublie")
    page.get_by_label("Adresse de messagerie professionnelle").fill(voter.email)
    page.get_by_role("button", name="Valider").click()
    expect(page.locator(".alert--success").first).to_contain_text("bien été prise en compte")
    expect(page.locator(".alert--success")).to_have_count(2)  # seed 000: two confirmations
    expect(page.locator(".alert").nth(1)).to_contain_text("Cliquez sur le lien")
    assert_accessible(page, "demande-prise-en-compte")
    assert "changer votre mot de passe" in mail_outbox()[-1].text
    page.goto(_mail_link(live_server))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Création de son mot de passe personnel"
    )
    page.get_by_label(PW_2018).fill("Nouveau8z")
    page.get_by_label(re.compile(r"^Confirmation du mot de passe personnel électeur")).fill(
        "Nouveau8z"
    )
    page.get_by_role("button", name="Valider").click()
    expect(page.locator(".alert--success")).to_contain_text("bien été enregistré")
    assert_accessible(page, "mot-de-passe-modifie")
    # The link cannot be used twice.
    page.goto(_mail_link(live_server))
    expect(page.locator(".alert--error")).to_contain_text("déjà été utilisé")
    assert_accessible(page, "lien-deja-utilise")


def test_2022_journey_with_captcha_and_activation(
    page,
    live_server,
    assert_accessible,
    settings,
    django_capture_on_commit_callbacks,
    unlogged,
):
    unlogged |= {PASSWORD_2022, "Saint-Étienne"}
    settings.URNE_CAPTCHA_ENABLED = True
    voter = _voter("2022")
    from urne.accounts.services import opening_send

    opening_send(voter=voter)  # the campaign's opening e-mail (seed 003, step 1)
    page.goto(_mail_link(live_server))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Initialisation du mot de passe Élections"
    )
    expect(page.locator(".password-rules__list li")).to_have_count(7)
    expect(page.locator("img.captcha__image")).to_be_visible()
    expect(page.locator("audio.captcha__audio")).to_be_visible()
    audio_src = page.locator("audio.captcha__audio source").get_attribute("src")
    assert page.request.get(live_server.url + audio_src).headers["content-type"] == "audio/wav"
    assert_accessible(page, "initialisation")

    # The suggested password fills both fields and meets every rule.
    page.get_by_role("button", name="Utiliser ce mot de passe").click()
    expect(page.locator(".password-rules__list li.is-met")).to_have_count(7)
    suggestion = page.locator("[data-suggestion]").inner_text()
    expect(page.get_by_label("Confirmation du mot de passe Élections")).to_have_value(suggestion)
    # But the voter types their own; a wrong CAPTCHA is refused.
    page.get_by_label(PW).fill(PASSWORD_2022)
    page.get_by_label("Confirmation du mot de passe Élections").fill(PASSWORD_2022)
    page.get_by_label("CAPTCHA").fill("00000")
    page.get_by_role("button", name="Connexion").click()
    expect(page.locator(".alert--error")).to_contain_text("CAPTCHA saisi est incorrect")
    assert_accessible(page, "captcha-incorrect")
    page.get_by_label(PW).fill(PASSWORD_2022)
    page.get_by_label("Confirmation du mot de passe Élections").fill(PASSWORD_2022)
    _solve_captcha(page)
    page.get_by_role("button", name="Connexion").click()

    # Activation: challenge question, answers that differ, then the same answer.
    expect(page.get_by_role("heading", level=1)).to_have_text("Activation de votre compte")
    assert_accessible(page, "activation")
    page.get_by_label("Choix de la question défi").select_option("city")
    page.get_by_label("Répondre à la question défi choisie").fill("Saint-Étienne")
    page.get_by_label("Ressaisir la réponse à la question défi").fill("Lyon")
    page.get_by_role("button", name="Activer son compte").click()
    expect(page.locator(".alert--error")).to_contain_text("ne sont pas identiques")
    assert_accessible(page, "activation-erreur")
    page.get_by_label("Choix de la question défi").select_option("city")
    page.get_by_label("Répondre à la question défi choisie").fill("Saint-Étienne")
    page.get_by_label("Ressaisir la réponse à la question défi").fill("SAINT-ETIENNE")
    page.get_by_role("button", name="Activer son compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Bienvenue sur votre portail Élections"
    )
    assert_accessible(page, "portail")
    assert VoterAccount.objects.get(voter=voter).is_active

    # Next visit (seed 004): identifier + CAPTCHA, then the password.
    page.get_by_role("button", name="Déconnexion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accès au portail Élections")
    page.get_by_label("Identifiant").fill(voter.email)
    page.get_by_label("CAPTCHA").fill("12")
    page.get_by_role("button", name="Connexion").click()
    expect(page.locator(".alert--error")).to_contain_text("CAPTCHA saisi est incorrect")
    assert_accessible(page, "identification-captcha-incorrect")
    _solve_captcha(page)
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Saisie du mot de passe Élections")
    assert_accessible(page, "saisie-mot-de-passe")
    page.get_by_label(PW).fill(PASSWORD_2022)
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Bienvenue sur votre portail Élections"
    )


def test_2022_access_without_activation(page, live_server, assert_accessible):
    voter = _voter("2022")
    from urne.accounts.services import opening_send

    opening_send(voter=voter)
    page.goto(_mail_link(live_server))
    page.get_by_label(PW).fill(PASSWORD_2022)
    page.get_by_label("Confirmation du mot de passe Élections").fill(PASSWORD_2022)
    page.get_by_role("button", name="Connexion").click()
    page.get_by_role("button", name="Accès sans activation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Bienvenue sur votre portail Élections"
    )
    expect(page.locator(".message, .alert").first).to_contain_text("Accès sans activation")
    assert_accessible(page, "portail-sans-activation")
    account = VoterAccount.objects.get(voter=voter)
    assert account.password == "" and account.activated_at is None
    # Next time: invited again to create the password.
    page.get_by_role("button", name="Déconnexion").click()
    page.get_by_label("Identifiant").fill(voter.email)
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Consultez votre messagerie professionnelle"
    )
    page.goto(_mail_link(live_server))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Initialisation du mot de passe Élections"
    )


def test_english_login_page(page, live_server, assert_accessible):
    _voter("2022")
    page.goto(live_server.url + "/en/compte/connexion/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Access to the Elections portal")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".alert--error")).to_contain_text("Please enter your identifier.")
    assert_accessible(page, "login-english")


def test_opening_link_without_javascript(chromium, page, live_server, assert_accessible):
    """The link's token is in its fragment, posted by the page's script (ADR 0532); without
    scripts the voter pastes the link into the page's form."""
    voter = _voter("2018")
    from urne.accounts.services import opening_send

    opening_send(voter=voter)
    link = _mail_link(live_server)
    assert "#" in link
    page.goto(live_server.url + "/compte/ouverture/lien/")  # what a browser without scripts shows
    expect(page.get_by_role("heading", level=1)).to_have_text("Ouverture du lien")
    assert_accessible(page, "lien-sans-script")
    context = chromium.new_context(java_script_enabled=False, locale="fr-FR")
    try:
        no_js = context.new_page()
        no_js.goto(link)
        expect(no_js.get_by_role("heading", level=1)).to_have_text("Ouverture du lien")
        no_js.get_by_label("Lien reçu par courriel").fill(link)
        no_js.get_by_role("button", name="Valider").click()
        expect(no_js.get_by_role("heading", level=1)).to_have_text("Création de mon mot de passe")
    finally:
        context.close()
    # With scripts, the address bar and the history keep no token.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Création de mon mot de passe")
    assert "#" not in page.url
    page.go_back()
    assert "#" not in page.url
