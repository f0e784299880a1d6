"""A new voter identifier by SMS, the 2018 style's "Demander un nouvel identifiant électeur"
(seeds 001, 002 §3; ADR 0610): the page and its window, each wrong input with its message,
the SMS's text composed at send time, the old code refused and the new one confirmed, the
confirmation e-mail, 3 requests then the helpdesk's reserve, the traces without secrets, the
rate limits and the gateway delayed."""

import html
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from factories.accounts import PASSWORD_2018, mail_clear, mail_outbox, voter_client_login
from factories.authority import booth_election_make
from factories.elections import staff_login, staff_make
from urne.audit.models import AuditEvent
from urne.authority import services as authority
from urne.authority.models import CodeSlot, PhoneDigest
from urne.messaging.models import SmsGateway, SmsMessage
from urne.messaging.sms_channels import MemorySmsChannel
from urne.portal.models import ReplacementRequest
from urne.portal.replacement import phone_normalise

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])
URL = "/nouvel-identifiant/"
PHONE = "06 12 34 56 78"
E164 = "+33612345678"


@pytest.fixture(autouse=True)
def _clean():
    MemorySmsChannel.outbox.clear()
    mail_clear()


@pytest.fixture
def world():
    election, scrutins, voters, cset = booth_election_make(style="2018")
    election.lists_from = timezone.now() - timedelta(days=2)
    election.save()
    return election, scrutins, voters, cset


def form(voter, phone=PHONE, **kw):
    return {
        "phone": phone,
        "numen": kw.get("numen", voter.numen),
        "birth_date": kw.get("birth_date", voter.birth_date.strftime("%d/%m/%Y")),
        "captcha": "",
    }


def post(client, data, capture, **kw):
    with capture(execute=True):
        return client.post(URL, data, **kw)


def page(response):
    return html.unescape(response.content.decode())


def code_of(cset, voter, index):
    return authority.code_derive(credential_set=cset, voter_id=voter.pk, index=index)


def confirm(client, cset, voter, scrutins, index):
    code = code_of(cset, voter, index)
    body = {
        "credentials": {
            s.uuid: authority.public_credential_hex(scrutin_uuid=s.uuid, code=code)
            for s in scrutins
        },
        "password": PASSWORD_2018,
    }
    return client.post(
        reverse("booth:code_confirm"), json.dumps(body), content_type="application/json"
    )


def test_the_page_follows_seed_001(client, world):
    _, _, voters, _ = world
    voter_client_login(client, voters[0])
    r = client.get(URL)
    assert r.status_code == 200
    text = page(r)
    for wording in (
        "Demande d'un nouvel identifiant électeur",
        "cet envoi ne peut être fait que par SMS et après vérification préalable",
        "La demande d'envoi d'un nouvel identifiant ne peut être faite que 3 fois.",
        "Je souhaite recevoir un nouvel identifiant électeur par SMS au numéro suivant :",
        "N° tél",
        "Pour les électeurs des DROM-COM et de l'étranger, à saisir avec les indicatifs",
        "NUMEN",
        "Date de naissance (jj/mm/aaaa)",
        f"Vous recevrez un e-mail de confirmation à l'adresse suivante : {voters[0].email}",
    ):
        assert wording in text, wording
    # From the voter's space and from the 2018 booth.
    assert URL in page(client.get("/"))
    assert "Identifiant électeur oublié ?" in page(client.get(reverse("booth:entry")))
    assert URL in page(client.get(reverse("booth:entry")))


def test_request_sends_the_new_identifier_by_sms_only_and_invalidates_the_old(
    client, world, django_capture_on_commit_callbacks
):
    _, scrutins, voters, cset = world
    voter = voters[0]
    voter_client_login(client, voter)
    r = post(client, form(voter), django_capture_on_commit_callbacks, follow=True)
    assert r.status_code == 200
    assert (
        "Votre demande a été correctement prise en compte. Un SMS vous a été envoyé, vous le "
        "recevrez dans quelques minutes." in page(r)
    )
    assert "alert--success" in page(r)
    [sms] = MemorySmsChannel.outbox
    new = code_of(cset, voter, 1)
    assert sms.to == E164
    assert sms.text == (
        f"Bonjour,\nVotre nouvel identifiant de vote : {new}\n"
        "Votre ancien identifiant a été invalidé.\nLes élections professionnelles"
    )
    assert len(sms.text) <= 160
    slots = CodeSlot.objects.filter(voter_id=voter.pk).order_by("index")
    statuses = list(slots.values_list("status", flat=True))
    assert statuses == ["revoked", "active", "spare", "spare", "spare"]
    # The e-mail to the professional address, without the code.
    [mail] = [m for m in mail_outbox() if m.to == voter.email]
    assert "nouvel identifiant électeur" in mail.subject
    assert new not in mail.text and new not in mail.html and "06" not in mail.text
    # The booth: the old identifier is refused as replaced, the new one confirmed.
    old = confirm(client, cset, voter, scrutins, 0)
    assert old.status_code == 403 and json.loads(old.content)["code"] == "revoked"
    ok = confirm(client, cset, voter, scrutins, 1)
    assert ok.status_code == 200, ok.content
    request = ReplacementRequest.objects.get()
    assert request.outcome == "sent" and request.slot_index == 1
    assert request.sms.state == SmsMessage.State.SENT


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"numen": "99Z9999999ZZZ"}, "Le NUMEN saisi ne correspond pas"),
        ({"birth_date": "02/01/1980"}, "La date de naissance saisie ne correspond pas"),
        ({"phone": "01 23"}, "Ce numéro de téléphone portable n'est pas valide"),
        ({"phone": "0690 12 34 56"}, "indicatif international"),  # Guadeloupe without +590
        ({"phone": "01 42 68 53 00"}, "pas celui d'un téléphone portable"),  # a fixed line: no SMS
        ({"birth_date": "1980-01-01"}, "jj/mm/aaaa"),
    ],
)
def test_wrong_inputs_each_with_its_message(
    client, world, django_capture_on_commit_callbacks, data, message
):
    _, _, voters, _ = world
    voter_client_login(client, voters[0])
    r = post(client, {**form(voters[0]), **data}, django_capture_on_commit_callbacks)
    assert r.status_code == 400
    assert message in page(r)
    assert MemorySmsChannel.outbox == []
    assert CodeSlot.objects.get(voter_id=voters[0].pk, index=0).status == "active"


def test_drom_com_and_abroad_numbers_in_international_form(client, world):
    assert phone_normalise("+590 690 12 34 56") == "+590690123456"
    assert phone_normalise("+262 692 12 34 56") == "+262692123456"
    assert phone_normalise("+44 7400 123456") == "+447400123456"
    assert phone_normalise("06.12.34.56.78") == E164


def test_a_phone_serves_one_voter_only(client, world, django_capture_on_commit_callbacks):
    _, _, voters, _ = world
    voter_client_login(client, voters[0])
    post(client, form(voters[0]), django_capture_on_commit_callbacks)
    other = type(client)()
    voter_client_login(other, voters[1])
    r = post(other, form(voters[1], phone="+33 6 12 34 56 78"), django_capture_on_commit_callbacks)
    assert r.status_code == 400
    assert "Ce numéro de téléphone a déjà servi à un autre électeur" in page(r)
    assert CodeSlot.objects.get(voter_id=voters[1].pk, index=0).status == "active"
    # The same voter may use the same number again; the authority keeps a digest only.
    r = post(client, form(voters[0]), django_capture_on_commit_callbacks)
    assert r.status_code == 302
    [row] = PhoneDigest.objects.all()
    assert row.voter_id == voters[0].pk and "612345678" not in row.digest


def test_three_requests_then_the_helpdesk_reserve(
    client, world, django_capture_on_commit_callbacks
):
    _, scrutins, voters, cset = world
    voter = voters[0]
    voter_client_login(client, voter)
    for _ in range(3):
        assert post(client, form(voter), django_capture_on_commit_callbacks).status_code == 302
    text = page(client.get(URL))
    assert "Vous avez déjà fait vos 3 demandes d'un nouvel identifiant." in text
    assert "Contactez l'assistance" in text and 'name="phone"' not in text
    fourth = post(client, form(voter), django_capture_on_commit_callbacks)
    assert fourth.status_code == 400
    assert "Contactez l'assistance" in page(fourth)
    assert len(MemorySmsChannel.outbox) == 3
    assert ReplacementRequest.objects.filter(outcome="used_up").count() == 1

    helpdesk = type(client)()
    staff_login(helpdesk, staff_make("helpdesk"))
    voter_page = page(helpdesk.get(reverse("backoffice:voter", args=[voter.pk])))
    assert "Demandes restantes de l'électeur : 0 ; réserve de l'assistance : 1." in voter_page
    assert "nouvel identifiant envoyé" in voter_page and "accepté par l'opérateur" in voter_page
    assert "demandes épuisées" in voter_page
    url = reverse("helpdesk:voter_reserve", args=[voter.pk])
    with django_capture_on_commit_callbacks(execute=True):
        r = helpdesk.post(url, {"phone": "06 98 76 54 32"}, follow=True)
    assert "Le code de réserve part par SMS" in page(r), [m.message for m in r.context["messages"]]
    reserve = code_of(cset, voter, 4)
    assert reserve not in page(r)
    assert MemorySmsChannel.outbox[-1].text.count(reserve) == 1
    assert confirm(client, cset, voter, scrutins, 4).status_code == 200
    assert confirm(client, cset, voter, scrutins, 3).status_code == 403
    again = helpdesk.post(url, {"phone": "06 98 76 54 32"}, follow=True)
    assert "La réserve de cet électeur a déjà été envoyée." in page(again)
    event = AuditEvent.objects.filter(action="portal.replacement_sent").last()
    assert event.actor and event.data["origin"] == "helpdesk" and event.data["index"] == 4


def test_every_request_and_outcome_is_audited_without_secrets(
    client, world, django_capture_on_commit_callbacks
):
    _, _, voters, cset = world
    voter = voters[0]
    voter_client_login(client, voter)
    post(client, form(voter, numen="99Z9999999ZZZ"), django_capture_on_commit_callbacks)
    post(client, form(voter), django_capture_on_commit_callbacks)
    actions = list(
        AuditEvent.objects.filter(action__startswith="portal.replacement").values_list(
            "action", "data"
        )
    )
    assert [a for a, _ in actions] == ["portal.replacement_refused", "portal.replacement_sent"]
    dump = json.dumps([d for _, d in actions])
    for secret in (code_of(cset, voter, 1), E164, "612345678", voter.numen, "99Z9999999ZZZ"):
        assert secret not in dump
    assert actions[0][1]["outcome"] == "wrong_numen"


def test_the_window_is_date_b_until_the_close(client, world):
    election, _, voters, _ = world
    voter_client_login(client, voters[0])
    election.lists_from = timezone.now() + timedelta(days=1)
    election.save()
    r = client.get(URL)
    assert "Cette rubrique ouvrira le" in page(r)
    assert client.post(URL, form(voters[0])).status_code == 200  # the closed page, nothing done
    election.lists_from = timezone.now() - timedelta(days=9)
    election.vote_opens = timezone.now() - timedelta(days=8)
    election.vote_closes = timezone.now() - timedelta(minutes=1)
    election.save()
    assert "Cette rubrique est fermée depuis le" in page(client.get(URL))
    assert CodeSlot.objects.get(voter_id=voters[0].pk, index=0).status == "active"


def test_rate_limited_per_voter(client, world, settings, django_capture_on_commit_callbacks):
    settings.URNE_RATE_LIMITS = {**settings.URNE_RATE_LIMITS, "replacement_voter": (2, 3600)}
    _, _, voters, _ = world
    voter_client_login(client, voters[0])
    for _ in range(2):
        post(client, form(voters[0], numen="X"), django_capture_on_commit_callbacks)
    r = post(client, form(voters[0]), django_capture_on_commit_callbacks)
    assert r.status_code == 429 and "Trop de demandes" in page(r)
    assert MemorySmsChannel.outbox == []


def test_gateway_delayed_the_voter_is_told_the_message_will_follow(
    client, world, django_capture_on_commit_callbacks
):
    _, _, voters, _ = world
    SmsGateway.objects.create(pk=1, failures=2, paused_until=timezone.now() + timedelta(hours=1))
    voter_client_login(client, voters[0])
    r = post(client, form(voters[0]), django_capture_on_commit_callbacks, follow=True)
    assert "votre nouvel identifiant vous sera envoyé par SMS dès que possible" in page(r)
    assert MemorySmsChannel.outbox == []  # paused: it waits, sealed, for the gateway
    assert SmsMessage.objects.get().state == SmsMessage.State.READY


def test_a_code_replaced_again_before_sending_is_never_sent(
    client, world, django_capture_on_commit_callbacks
):
    from urne.messaging import services as messaging

    _, _, voters, _ = world
    SmsGateway.objects.create(pk=1, failures=1, paused_until=timezone.now() + timedelta(hours=1))
    voter_client_login(client, voters[0])
    post(client, form(voters[0]), django_capture_on_commit_callbacks)
    post(client, form(voters[0]), django_capture_on_commit_callbacks)
    SmsGateway.objects.update(paused_until=None, failures=0)
    messaging.sms_dispatch(budget_seconds=5)
    states = list(SmsMessage.objects.order_by("pk").values_list("state", flat=True))
    assert states == ["failed", "sent"]
    [sms] = MemorySmsChannel.outbox
    assert "de vote : " in sms.text


def test_english(client, world, django_capture_on_commit_callbacks):
    _, _, voters, _ = world
    voter_client_login(client, voters[0])
    r = client.get("/en" + URL)
    assert "Request for a new voter identifier" in page(r)
    assert "Phone no." in page(r) and "Date of birth (dd/mm/yyyy)" in page(r)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/en" + URL, form(voters[0], numen="nope"))
    assert "The NUMEN you typed does not match the one of your voter profile." in page(r)


def test_2022_style_has_no_such_page(client, world):
    election, _, voters, _ = world
    election.style = "2022"
    election.save()
    voter_client_login(client, voters[0])
    assert client.get(URL).status_code == 404


def test_the_captcha_with_its_audio_is_asked_and_checked(
    client, world, settings, django_capture_on_commit_callbacks
):
    import re

    from urne.accounts.captcha import code_from_token

    settings.URNE_CAPTCHA_ENABLED = True
    _, _, voters, _ = world
    voter_client_login(client, voters[0])
    text = page(client.get(URL))
    assert "Écouter le code (audio en français)" in text and "/audio.wav" in text
    r = post(client, {**form(voters[0]), "captcha": "00000"}, django_capture_on_commit_callbacks)
    assert r.status_code == 400 and "Le CAPTCHA saisi est incorrect" in page(r)
    assert MemorySmsChannel.outbox == []
    token = re.search(r'/compte/captcha/([^/"]+)/image\.png', page(r)).group(1)
    data = {**form(voters[0]), "captcha": code_from_token(token)}
    assert post(client, data, django_capture_on_commit_callbacks).status_code == 302
    assert len(MemorySmsChannel.outbox) == 1
