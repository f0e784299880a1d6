"""A new voter identifier by SMS in Chromium (2018 style, seeds 001 and 002 §3; ADR 0610),
through the real SMPP server of the tests (tests/smsc/smsc.cjs): from the booth's "Identifiant
électeur oublié ?" to the page, each wrong input with its message, the request, the SMS as
the gateway receives it, the seed's green message, then the booth: the old identifier refused,
the new one accepted. In French and in English; a voter who already voted in one scrutin
replaces the identifier and votes in the other only; a phone number used by another voter;
the requests used up, then the helpdesk's reserve. axe-core on every screen."""

import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from factories.accounts import PASSWORD_2018
from factories.authority import booth_election_make
from factories.elections import staff_login, staff_make
from factories.smsc import Smsc, smpp_settings
from urne.authority import services
from urne.booth.models import Emargement

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "authority", "urn"])
CODE = re.compile(
    r"Votre nouvel identifiant de vote : ([A-Z0-9-]{29})"
    r"|Your new voting identifier: ([A-Z0-9-]{29})"
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def smsc(settings):
    gateway = Smsc()
    smpp_settings(settings, gateway.port, timeout=2)
    settings.URNE_SMS_FIRST_PAUSE_SECONDS = 0.05
    settings.URNE_SMS_RECEIPT_WAIT_SECONDS = 0
    gateway.order(receipts="DELIVRD")
    yield gateway
    gateway.stop()


@pytest.fixture
def world():
    election, scrutins, voters, cset = booth_election_make(style="2018", voters=3)
    election.lists_from = timezone.now() - timedelta(days=2)
    election.save()
    return election, scrutins, voters, cset


def _fill(page, voter, phone, numen=None, birth=None, en=False):
    page.get_by_label("Phone no." if en else "N° tél").fill(phone)
    page.locator("#id_numen").fill(numen or voter.numen)
    birth_label = "Date of birth (dd/mm/yyyy)" if en else "Date de naissance (jj/mm/aaaa)"
    page.get_by_label(birth_label).fill(birth or voter.birth_date.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Confirm" if en else "Valider", exact=True).click()


def _code_from(submit):
    match = CODE.search(submit["text"])
    assert match, submit["text"]
    return match.group(1) or match.group(2)


def _booth_code(page, live_server, code, en=False):
    page.goto(live_server.url + ("/en" if en else "") + "/vote/")
    password = "Personal voter password" if en else "Mot de passe personnel électeur"
    page.get_by_label(password).fill(PASSWORD_2018)
    field = page.get_by_role("textbox", name="Voter identifier" if en else "Identifiant électeur")
    field.fill(code)
    page.get_by_role("button", name="Log in" if en else "Connexion", exact=True).click()


def test_request_sms_then_the_new_identifier_works_and_the_old_is_refused(
    page, live_server, assert_accessible, voter_login, smsc, world, unlogged
):
    _, _scrutins, voters, cset = world
    voter = voters[0]
    old = services.code_derive(credential_set=cset, voter_id=voter.pk, index=0)
    voter_login(voter)
    page.goto(live_server.url + "/vote/")
    page.get_by_role("link", name="Identifiant électeur oublié ?").click()
    title = "Demande d'un nouvel identifiant électeur"
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.locator("body")).to_contain_text("ne peut être faite que 3 fois")
    expect(page.locator("body")).to_contain_text(
        f"Vous recevrez un e-mail de confirmation à l'adresse suivante : {voter.email}"
    )
    expect(page.locator(".captcha")).to_have_count(0)  # off in the test settings
    assert_accessible(page, "demande")

    # Each wrong input with its message; nothing sent.
    for phone, numen, birth, message in [
        ("06 12 34 56 78", "99Z9999999ZZZ", None, "Le NUMEN saisi ne correspond pas"),
        ("06 12 34 56 78", None, "02/02/1980", "La date de naissance saisie ne correspond pas"),
        ("06 12 34", None, None, "Ce numéro de téléphone portable n'est pas valide"),
        ("0690 12 34 56", None, None, "avec l'indicatif international"),
    ]:
        _fill(page, voter, phone, numen, birth)
        expect(page.locator(".field__error").first).to_contain_text(message)
        assert_accessible(page, message[:30])
    assert smsc.of("submit") == []

    # The request: seed 001's green message on "Mon espace électeur".
    _fill(page, voter, "+33 6 12 34 56 78")
    expect(page.locator(".alert--success")).to_contain_text(
        "Votre demande a été correctement prise en compte. Un SMS vous a été envoyé, vous le "
        "recevrez dans quelques minutes."
    )
    expect(page.get_by_role("heading", name="Mon espace électeur")).to_be_visible()
    assert_accessible(page, "message-vert")
    [submit] = smsc.wait("submit", 1)
    assert submit["submit"]["to"] == "33612345678"
    new = _code_from(submit["submit"])
    assert "Votre ancien identifiant a été invalidé." in submit["submit"]["text"]
    unlogged |= {new, new.replace("-", ""), old, "33612345678", "0612345678"}

    # The booth: the old identifier refused (replaced), the new one opens the scrutins.
    _booth_code(page, live_server, old)
    expect(page.locator("#vote-code-error")).to_contain_text("remplacé")
    assert_accessible(page, "ancien-identifiant")
    _booth_code(page, live_server, new)
    expect(page.get_by_role("heading", name="Mes scrutins")).to_be_visible()
    assert_accessible(page, "nouvel-identifiant")


def test_in_english(page, live_server, assert_accessible, voter_login, smsc, world, unlogged):
    _, _, voters, _ = world
    voter = voters[1]
    voter_login(voter)
    page.goto(live_server.url + "/en/nouvel-identifiant/")
    expect(page.get_by_role("heading", name="Request for a new voter identifier")).to_be_visible()
    assert_accessible(page, "request-en")
    _fill(page, voter, "06 12 34 56 79", numen="NOPE", en=True)
    expect(page.locator(".field__error").first).to_contain_text(
        "The NUMEN you typed does not match the one of your voter profile."
    )
    _fill(page, voter, "06 12 34 56 79", en=True)
    expect(page.locator(".alert--success")).to_contain_text("Your request has been recorded.")
    assert_accessible(page, "recorded-en")
    [submit] = smsc.wait("submit", 1)
    assert submit["submit"]["text"].startswith("Hello,\nYour new voting identifier: ")
    code = _code_from(submit["submit"])
    unlogged |= {code, code.replace("-", "")}


def test_voted_scrutins_stay_closed_the_others_take_the_new_identifier(
    page, live_server, assert_accessible, voter_login, smsc, world, unlogged
):
    _, scrutins, voters, cset = world
    voter = voters[2]
    old = services.code_derive(credential_set=cset, voter_id=voter.pk, index=0)
    voter_login(voter)
    # A vote in the first scrutin with the notice's identifier.
    _booth_code(page, live_server, old)
    first = scrutins[0]
    label = f"{first.body.name} {first.perimeter}".strip()
    page.get_by_role("button", name=f"Voter à ce scrutin : {label}").click()
    page.get_by_label("Vote blanc", exact=True).check()
    page.get_by_role("button", name="Valider mon choix").click()
    page.get_by_role("button", name="Je confirme mon vote").click()
    expect(page.get_by_role("heading", name="Accusé de réception")).to_be_visible(timeout=30_000)

    page.goto(live_server.url + "/nouvel-identifiant/")
    _fill(page, voter, "06 12 34 56 70")
    expect(page.locator(".alert--success")).to_be_visible()
    [submit] = smsc.wait("submit", 1)
    new = _code_from(submit["submit"])
    unlogged |= {new, old}

    _booth_code(page, live_server, new)
    expect(page.get_by_role("heading", name="Mes scrutins")).to_be_visible()
    assert page.get_by_role("button", name=f"Voter à ce scrutin : {label}").count() == 0
    second = scrutins[1]
    other = f"{second.body.name} {second.perimeter}".strip()
    page.get_by_role("button", name=f"Voter à ce scrutin : {other}").click()
    page.get_by_label("Vote blanc", exact=True).check()
    page.get_by_role("button", name="Valider mon choix").click()
    page.get_by_role("button", name="Je confirme mon vote").click()
    expect(page.get_by_role("heading", name="Accusé de réception")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Retour à mes scrutins").click()
    expect(page.locator("#scrutin-list")).to_contain_text("Vous avez voté à tous vos scrutins")
    assert_accessible(page, "tous-votes")
    states = dict(Emargement.objects.filter(voter=voter).values_list("scrutin_id", "state"))
    assert states == {first.pk: "voted", second.pk: "voted"}


def test_phone_of_another_voter_requests_used_up_then_the_helpdesk_reserve(
    page, chromium, live_server, assert_accessible, voter_login, smsc, world, unlogged
):
    _, _scrutins, voters, cset = world
    voter, other = voters[0], voters[1]
    # The other voter got a new identifier at this number first.
    voter_login(other)
    page.goto(live_server.url + "/nouvel-identifiant/")
    _fill(page, other, "06 98 76 54 30")
    expect(page.locator(".alert--success")).to_be_visible()

    voter_login(voter)
    page.goto(live_server.url + "/nouvel-identifiant/")
    _fill(page, voter, "06 98 76 54 30")
    expect(page.locator(".field__error").first).to_contain_text(
        "Ce numéro de téléphone a déjà servi à un autre électeur"
    )
    assert_accessible(page, "numero-d-un-autre")
    for _n in range(3):
        page.goto(live_server.url + "/nouvel-identifiant/")
        _fill(page, voter, "06 98 76 54 31")
        expect(page.locator(".alert--success")).to_be_visible()
    page.goto(live_server.url + "/nouvel-identifiant/")
    expect(page.locator("body")).to_contain_text(
        "Vous avez déjà fait vos 3 demandes d'un nouvel identifiant."
    )
    expect(page.get_by_role("link", name="Contacter l'assistance")).to_be_visible()
    assert_accessible(page, "demandes-epuisees")
    smsc.wait("submit", 4)

    # The helpdesk, in its own browser: the states, then the reserve by SMS.
    helpdesk = staff_make("helpdesk")
    client = Client()
    staff_login(client, helpdesk)
    staff = chromium.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    staff.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    desk = staff.new_page()
    try:
        desk.goto(f"{live_server.url}/backoffice/voters/{voter.pk}/")
        expect(desk.locator("body")).to_contain_text(
            "Demandes restantes de l'électeur : 0 ; réserve de l'assistance : 1."
        )
        expect(desk.locator("body")).to_contain_text("numéro déjà utilisé par un autre électeur")
        expect(desk.locator("body")).to_contain_text("accepté par l'opérateur")
        assert_accessible(desk, "assistance-etats")
        desk.get_by_label("Numéro de téléphone portable de l'électeur").fill("06 98 76 54 31")
        desk.get_by_role("button", name="Envoyer le code de réserve par SMS").click()
        expect(desk.locator("body")).to_contain_text("Le code de réserve part par SMS")
        submits = smsc.wait("submit", 5)
        reserve = _code_from(submits[-1]["submit"])
        assert reserve not in desk.content()
        assert reserve == services.code_derive(credential_set=cset, voter_id=voter.pk, index=4)
        unlogged |= {reserve, reserve.replace("-", "")}
    finally:
        staff.close()
    _booth_code(page, live_server, reserve)
    expect(page.get_by_role("heading", name="Mes scrutins")).to_be_visible()
