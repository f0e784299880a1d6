"""The 2022 réassort by the challenge question with the link by SMS, in Chromium, in French
and English (seed 004; ADR 0651), through the real SMPP server of the tests
(tests/smsc/smsc.cjs): the voter's question shown, the wrong inputs each with its message
(wrong answer, wrong NUMEN, the professional address given as the personal one), then the
answer, the NUMEN and a personal mobile → the SMS as the gateway receives it → its link
opened → "Générer un code" → the new code typed in the booth → a vote. The same link opened
again fails clearly, and so does a second request's link opened after it expired. Then the
personal phone is searched in every table of the three stores and in every log (the
server's and those under var/). axe on each of our pages."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from playwright.sync_api import expect

from factories.authority import booth_election_make
from factories.smsc import Smsc, smpp_settings
from factories.stores import stores_text
from urne.accounts.models import VoterAccount
from urne.accounts.services import answer_normalise
from urne.authority.models import ReassortGrant

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "authority", "urn"]),
    pytest.mark.usefixtures("fresh_cache"),
]

ANSWER = "Olympique Lyonnais"
LINK = re.compile(r"(https?://\S+/reassort/lien/#[A-Za-z0-9_-]+)")
WORDS = {
    "fr": {
        "link": "Cliquez ici pour obtenir un réassort de votre code de vote",
        "challenge": "Répondre à la question Défi",
        "question": "Quel est le titre de votre livre préféré ?",
        "answer": "Saisissez votre réponse secrète",
        "numen": "Saisissez votre NUMEN",
        "sms": "Envoi du lien d'activation par SMS sur votre smartphone personnel",
        "email_choice": "Envoi du lien d'activation par E-MAIL",
        "email": "Adresse mail personnelle",
        "phone": "Numéro de téléphone mobile personnel",
        "send": "Envoyer",
        "sent": "Lien d'activation envoyé",
        "wrong_answer": "La réponse secrète ne correspond pas à celle que vous avez enregistrée.",
        "wrong_numen": "Ce NUMEN n'est pas le vôtre.",
        "professional": "Cette adresse est votre adresse professionnelle",
        "sms_text": "Réassort du code de vote : ouvrez ce lien (30 min, une fois) : ",
        "generate": "Générer un code",
        "used": "Ce réassort a déjà servi",
        "expired": "Cette demande de réassort a expiré.",
        "code": "Code de vote",
        "connect": "Connexion",
        "scrutins": "Mes scrutins",
        "vote": "Voter à ce scrutin",
        "blank": "Vote blanc",
        "choose": "Valider mon choix",
        "confirm": "Je confirme mon vote",
        "receipt": "Accusé de réception",
    },
    "en": {
        "link": "Click here to get a replacement vote code",
        "challenge": "Answer the challenge question",
        "question": None,  # the question's English text: checked in French only
        "answer": "Enter your secret answer",
        "numen": "Enter your NUMEN",
        "sms": "Send the activation link by SMS to your personal smartphone",
        "email_choice": "Send the activation link by E-MAIL",
        "email": "Personal e-mail address",
        "phone": "Personal mobile phone number",
        "send": "Send",
        "sent": "Activation link sent",
        "wrong_answer": "The secret answer does not match the one you recorded.",
        "wrong_numen": "This NUMEN is not yours.",
        "professional": "This is your professional address",
        "sms_text": "Vote code replacement: open this link (30 min, once): ",
        "generate": "Generate a code",
        "used": "This replacement has already been used",
        "expired": "This replacement request has expired.",
        "code": "Vote code",
        "connect": "Log in",
        "scrutins": "My ballots",
        "vote": "Vote in this ballot",
        "blank": "Blank vote",
        "choose": "Confirm my choice",
        "confirm": "I confirm my vote",
        "receipt": "Receipt",
    },
}
PHONES = {"fr": ("06 98 76 54 21", "33698765421"), "en": ("+33 7 98 76 54 22", "33798765422")}


@pytest.fixture
def smsc(settings):
    gateway = Smsc()
    smpp_settings(settings, gateway.port, timeout=2)
    settings.URNE_SMS_FIRST_PAUSE_SECONDS = 0.05
    settings.URNE_SMS_RECEIPT_WAIT_SECONDS = 0
    gateway.order(receipts="DELIVRD")
    yield gateway
    gateway.stop()


def _fill(page, words, answer, numen, *, phone=None, email=None):
    page.get_by_label(words["answer"]).fill(answer)
    page.get_by_label(words["numen"]).fill(numen)
    if phone is not None:
        page.get_by_label(words["sms"]).check()
        page.get_by_label(words["phone"]).fill(phone)
    else:
        page.get_by_label(re.compile("^" + re.escape(words["email_choice"]))).check()
        page.get_by_label(words["email"]).fill(email)
    page.get_by_role("button", name=words["send"]).click()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_challenge_reassort_by_sms_then_vote(
    language, page, live_server, assert_accessible, voter_login, settings, smsc, unlogged
):
    words = WORDS[language]
    prefix = "" if language == "fr" else "/en"
    typed, e164 = PHONES[language]
    settings.URNE_PUBLIC_URL = live_server.url
    _e, scrutins, voters, _cset = booth_election_make(voters=1)
    voter = voters[0]
    voter_login(voter)
    account = VoterAccount.objects.get(voter=voter)
    account.challenge_question = "book"
    account.challenge_answer = make_password(answer_normalise(ANSWER))
    account.save()

    page.goto(live_server.url + prefix + "/vote/")
    page.get_by_role("link", name=words["link"]).click()
    page.get_by_role("link", name=words["challenge"]).click()
    if words["question"]:
        expect(page.locator("body")).to_contain_text(words["question"])
    assert_accessible(page, f"demande-{language}")

    # The wrong inputs, each with its message on its field; nothing sent.
    for answer, numen, channel, message in [
        ("PSG", voter.numen, {"phone": typed}, words["wrong_answer"]),
        (ANSWER.lower(), "99Z9999999ZZZ", {"phone": typed}, words["wrong_numen"]),
        (ANSWER, voter.numen, {"email": voter.email.upper()}, words["professional"]),
    ]:
        _fill(page, words, answer, numen, **channel)
        expect(page.locator(".field__error").first).to_contain_text(message)
        assert_accessible(page, f"{message[:24]}-{language}")
    assert smsc.of("submit") == []

    # The request: the link goes by SMS, through the gateway.
    _fill(page, words, "  olympique LYONNAIS ", voter.numen.lower(), phone=typed)
    expect(page.get_by_role("heading", name=words["sent"])).to_be_visible()
    assert_accessible(page, f"lien-envoye-{language}")
    [submit] = smsc.wait("submit", 1)
    assert submit["submit"]["to"] == e164
    text = submit["submit"]["text"]
    assert text.startswith(words["sms_text"]), text
    link = LINK.search(text).group(1)
    unlogged |= {link.split("#", 1)[1], e164, "0" + e164[2:]}

    # The link, opened in the browser: "Générer un code", the new code shown once.
    page.goto(link)
    expect(page.get_by_role("heading", name=words["generate"])).to_be_visible()
    assert_accessible(page, f"generer-un-code-{language}")
    page.get_by_role("button", name=words["generate"]).click()
    code = page.locator("#new-code").inner_text()
    assert len(code.replace("-", "")) >= 20
    assert_accessible(page, f"nouveau-code-{language}")
    unlogged |= {code, code.replace("-", "")}

    # The same link again: it has served.
    page.goto(link)
    page.get_by_role("button", name=words["generate"]).click()
    expect(page.locator("body")).to_contain_text(words["used"])
    assert_accessible(page, f"lien-deja-servi-{language}")

    # A second request whose link is opened too late: it has expired.
    page.goto(live_server.url + prefix + "/vote/reassort/")
    page.get_by_role("link", name=words["challenge"]).click()
    _fill(page, words, ANSWER, voter.numen, phone=typed)
    expect(page.get_by_role("heading", name=words["sent"])).to_be_visible()
    late = LINK.search(smsc.wait("submit", 2)[1]["submit"]["text"]).group(1)
    unlogged |= {late.split("#", 1)[1]}
    ReassortGrant.objects.filter(voter_id=voter.pk, used_at=None).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    page.goto(late)
    page.get_by_role("button", name=words["generate"]).click()
    expect(page.locator("body")).to_contain_text(words["expired"])
    assert_accessible(page, f"lien-expire-{language}")

    # The booth: the new code opens the scrutins; a blank vote in the first.
    page.goto(live_server.url + prefix + "/vote/")
    page.get_by_role("textbox", name=words["code"]).fill(code)
    page.get_by_role("button", name=words["connect"], exact=True).click()
    expect(page.get_by_role("heading", name=words["scrutins"])).to_be_visible()
    first = scrutins[0]
    label = f"{first.body.name} {first.perimeter}".strip()
    page.get_by_role("button", name=f"{words['vote']} : {label}").click()
    page.get_by_label(words["blank"], exact=True).check()
    page.get_by_role("button", name=words["choose"]).click()
    page.get_by_role("button", name=words["confirm"]).click()
    expect(page.get_by_role("heading", name=words["receipt"])).to_be_visible(timeout=30_000)

    # Neither the personal phone nor the link's token in any table (the logs: ``unlogged``).
    stores = stores_text()
    for secret in (e164, "+" + e164, "0" + e164[2:], typed, link.split("#", 1)[1]):
        assert secret not in stores, secret
