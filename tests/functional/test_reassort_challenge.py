"""The 2022 réassort by the challenge question (seed 004; ADR 0651): the secret answer, the
NUMEN, and a personal channel; the single-use activation link by e-mail (a real SMTP server)
or by SMS (the SMS outbox); the link → "Générer un code" → a new code that works, the old one
revoked. The wrong inputs each with its message; an expired or reused link; an account never
activated. Neither the personal phone nor the personal address in any table or log."""

import html
import re
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from factories.accounts import mail_clear, mail_outbox, voter_client_login
from factories.authority import booth_election_make
from factories.stores import stores_text
from urne.accounts.services import answer_normalise
from urne.authority import services
from urne.authority.models import CodeSlot, ReassortGrant
from urne.messaging.sms_channels import MemorySmsChannel

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])

ANSWER = "Olympique Lyonnais"
PERSONAL = "amandine.perso@exemple-perso.fr"
MOBILE = "+33 6 98 76 54 32"
MOBILE_E164 = "+33698765432"


@pytest.fixture(autouse=True)
def _fresh():
    from django.core.cache import cache

    cache.clear()
    mail_clear()
    MemorySmsChannel.outbox.clear()


@pytest.fixture
def world():
    _e, scrutins, voters, cset = booth_election_make(voters=2)
    me = voters[0]
    client = Client()
    account = voter_client_login(client, me)
    account.challenge_question = "book"
    account.challenge_answer = make_password(answer_normalise(ANSWER))
    account.save()
    return scrutins, me, cset, client


def _send(client, **fields):
    data = {"answer": "olympique lyonnais", "numen": "", "via": "email", "phone": "", "email": ""}
    data.update(fields)
    return client.post(reverse("booth:reassort_challenge"), data)


def _token(text):
    return re.search(r"#([A-Za-z0-9_-]{20,})", text).group(1)


def _generate(client, token):
    r = client.post(reverse("booth:reassort_link"), {"lien": token})
    assert r.status_code == 302 and r["Location"] == reverse("booth:reassort_code")
    return client.post(reverse("booth:reassort_code"))


def _works(cset, voter, scrutins, index):
    code = services.code_derive(credential_set=cset, voter_id=voter.pk, index=index)
    publics = {
        s.uuid: services.public_credential_hex(scrutin_uuid=s.uuid, code=code) for s in scrutins
    }
    return all(services.credentials_confirm(voter=voter, public_credentials=publics).values())


def test_by_email_the_link_then_generer_un_code(world, settings):
    scrutins, me, cset, client = world
    settings.URNE_PUBLIC_URL = "https://vote.example.gouv.fr"
    page = html.unescape(client.get(reverse("booth:reassort_challenge")).content.decode())
    assert "Votre question Défi :</strong> Quel est le titre de votre livre préféré ?" in page
    assert "n'est pas enregistré en base de données" in page
    r = _send(client, numen=me.numen, email=PERSONAL)
    assert r.status_code == 200 and "Lien d'activation envoyé" in html.unescape(r.content.decode())
    (mail,) = mail_outbox()
    assert mail.to == PERSONAL and mail.keep is False
    assert "https://vote.example.gouv.fr/vote/reassort/lien/#" in mail.text
    new = _generate(client, _token(mail.text))
    code = services.code_derive(credential_set=cset, voter_id=me.pk, index=1)
    assert code in new.content.decode()
    assert _works(cset, me, scrutins, 1) and not _works(cset, me, scrutins, 0)
    # The same link again: used.
    again = _generate(client, _token(mail.text))
    assert again.status_code == 400 and "déjà servi" in html.unescape(again.content.decode())
    assert CodeSlot.objects.get(voter_id=me.pk, index=2).status == CodeSlot.Status.SPARE


def test_by_sms_the_link_is_written_at_send_time(world, django_capture_on_commit_callbacks):
    scrutins, me, cset, client = world
    with django_capture_on_commit_callbacks(execute=True):
        r = _send(client, numen=me.numen.lower(), via="sms", phone=MOBILE)
    assert r.status_code == 200
    (sms,) = MemorySmsChannel.outbox
    assert sms.to == MOBILE_E164 and "/vote/reassort/lien/#" in sms.text
    assert _generate(client, _token(sms.text)).status_code == 200
    assert _works(cset, me, scrutins, 1)


@pytest.mark.parametrize(
    "fields,field_text",
    [
        ({"answer": "PSG"}, "ne correspond pas à celle que vous avez enregistrée"),
        ({"numen": "99Z9999999ZZZ"}, "Ce NUMEN n'est pas le vôtre"),
        ({"numen": "12345"}, "Le NUMEN compte 13 caractères"),
        ({"via": "email", "email": "PRO"}, "votre adresse professionnelle"),
        ({"via": "sms", "phone": "06 12"}, "n'est pas valide"),
        ({"via": "sms", "phone": "+33 1 44 55 66 77"}, "n'est pas celui d'un téléphone mobile"),
    ],
)
def test_each_wrong_input_has_its_message_and_sends_nothing(world, fields, field_text):
    _s, me, _c, client = world
    fields = {"numen": me.numen, "email": PERSONAL, **fields}
    if fields.get("email") == "PRO":
        fields["email"] = me.email.upper()
    r = _send(client, **fields)
    assert r.status_code == 400
    assert field_text in html.unescape(r.content.decode())
    assert not mail_outbox() and not MemorySmsChannel.outbox
    assert not ReassortGrant.objects.exists()


def test_an_expired_link_fails_clearly(world):
    _s, me, _c, client = world
    _send(client, numen=me.numen, email=PERSONAL)
    ReassortGrant.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    r = _generate(client, _token(mail_outbox()[0].text))
    assert r.status_code == 400 and "a expiré" in html.unescape(r.content.decode())
    assert CodeSlot.objects.get(voter_id=me.pk, index=0).status == CodeSlot.Status.ACTIVE


def test_a_link_forwarded_to_another_voter_is_useless(world):
    _s, me, _c, client = world
    _send(client, numen=me.numen, email=PERSONAL)
    other = Client()
    voter_client_login(other, me.election.voters.exclude(pk=me.pk).first())
    r = _generate(other, _token(mail_outbox()[0].text))
    assert r.status_code == 400
    assert CodeSlot.objects.get(voter_id=me.pk, index=0).status == CodeSlot.Status.ACTIVE


def test_an_account_never_activated_is_sent_to_franceconnect_and_the_helpdesk(world):
    _s, me, _c, client = world
    me.account.challenge_answer = ""
    me.account.save()
    choice = html.unescape(client.get(reverse("booth:reassort")).content.decode())
    assert "Accès sans activation" in choice and "contactez l'assistance" in choice
    r = client.get(reverse("booth:reassort_challenge"))
    assert r.status_code == 403 and "accès sans activation" in html.unescape(r.content.decode())


def test_neither_the_personal_phone_nor_the_address_is_kept(
    world, settings, caplog, capfd, django_capture_on_commit_callbacks
):
    """After both journeys to "Générer un code" through the real gateways of the tests (an
    SMTP server, aiosmtpd; the SMPP server, tests/smsc, with its delivery receipt): the
    personal phone and address in no table of the three stores (bytes as hex too), no log
    record (DEBUG and up), nothing the processes printed and no file written under var/ —
    in clear, in national form, in hex and in UTF-16."""
    import logging
    import time
    from pathlib import Path

    from factories.accounts import smtp_server_start
    from factories.smsc import Smsc, smpp_settings
    from factories.stores import files_text, secret_forms

    started = time.time() - 1
    caplog.set_level(logging.DEBUG)
    _s, me, _c, client = world
    smtp, mailbox = smtp_server_start(settings)
    smsc = Smsc()
    try:
        smpp_settings(settings, smsc.port, timeout=2)
        settings.URNE_SMS_FIRST_PAUSE_SECONDS = 0.05
        settings.URNE_SMS_RECEIPT_WAIT_SECONDS = 1
        smsc.order(receipts="DELIVRD")
        assert _send(client, numen=me.numen, email=PERSONAL).status_code == 200
        (mail,) = mailbox.messages()
        assert _generate(client, _token(mail.get_content())).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            assert _send(client, numen=me.numen, via="sms", phone=MOBILE).status_code == 200
        [submit] = smsc.wait("submit", 1)
        assert submit["submit"]["to"] == MOBILE_E164[1:]
        assert _generate(client, _token(submit["submit"]["text"])).status_code == 200
    finally:
        smsc.stop()
        smtp.stop()
    printed = capfd.readouterr()
    # Ours: every logger but the test SMTP server's own ("mail.log", aiosmtpd), which plays
    # the voter's mail provider and must of course see the address it delivers to.
    ours = [r for r in caplog.records if not r.name.startswith("mail.log")]
    assert ours
    places = {
        "stores": stores_text(),
        "logs": "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in ours),
        "output": printed.out + printed.err,
        "var": files_text(Path(settings.VAR_DIR), started),
    }
    secrets = {PERSONAL, PERSONAL.upper(), MOBILE, MOBILE_E164, "06 98 76 54 32"}
    for secret in secrets:
        for form in secret_forms(secret):
            for place, text in places.items():
                assert form not in text, (place, secret)


def test_the_helpdesk_sees_each_request_state_but_no_code_or_channel(world):
    from factories.elections import staff_login, staff_make

    _scrutins, me, cset, client = world
    _send(client, numen=me.numen, email=PERSONAL)
    _generate(client, _token(mail_outbox()[0].text))
    _send(client, numen=me.numen, email=PERSONAL)  # a second request, left unused
    helpdesk = Client()
    staff_login(helpdesk, staff_make("helpdesk"))
    page = html.unescape(helpdesk.get(reverse("backoffice:voter", args=[me.pk])).content.decode())
    assert "Demandes de réassort" in page
    assert "code généré le" in page and "en attente" in page and "lien par e-mail" in page
    new = services.code_derive(credential_set=cset, voter_id=me.pk, index=1)
    assert new not in page and PERSONAL not in page
