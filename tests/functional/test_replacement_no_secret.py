"""No new identifier, phone number or SMS text of the replacement path in any store, log,
output or var/ file (ADRs 0601, 0610): requests over HTTP with wrong inputs and right ones,
the gateway (the real SMPP server of the tests) refusing the bind then accepting, the
helpdesk's reserve; then every table of the three stores, every log record, what was printed
and every file under var/ are searched (clear, hex, UTF-16), as for the SMS channel itself."""

import html
import logging
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from factories.accounts import voter_client_login
from factories.authority import booth_election_make
from factories.elections import staff_login, staff_make
from factories.smsc import Smsc, smpp_settings
from factories.stores import files_text, secret_forms, stores_text
from urne.authority import services as authority
from urne.messaging import services as messaging
from urne.messaging.models import SmsGateway, SmsMessage

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "authority", "urn"])
PHONES = ["+33698765411", "+33698765412", "+590690123456"]


def _post(client, voter, phone, **kw):
    data = {
        "phone": phone,
        "numen": kw.get("numen", voter.numen),
        "birth_date": kw.get("birth", voter.birth_date.strftime("%d/%m/%Y")),
        "captcha": "",
    }
    return html.unescape(client.post("/nouvel-identifiant/", data, follow=True).content.decode())


def test_no_identifier_phone_or_text_anywhere(settings, tmp_path, caplog, capfd):
    from django.core.cache import cache

    cache.clear()
    started = time.time() - 1
    caplog.set_level(logging.DEBUG)
    settings.URNE_SMS_FIRST_PAUSE_SECONDS = 0.05
    settings.URNE_SMS_RECEIPT_WAIT_SECONDS = 1
    settings.URNE_SMS_TASK_BUDGET_SECONDS = 0.3
    election, _, voters, cset = booth_election_make(style="2018", voters=2)
    election.lists_from = timezone.now() - timedelta(days=2)
    election.save()
    smsc = Smsc()
    try:
        smpp_settings(settings, smsc.port, timeout=1)
        smsc.order(receipts="DELIVRD")
        a, b = Client(), Client()
        voter_client_login(a, voters[0])
        voter_client_login(b, voters[1])
        assert "ne correspond pas" in _post(a, voters[0], "06 98 76 54 11", numen="99Z9999999ZZZ")
        assert "ne correspond pas" in _post(a, voters[0], "06 98 76 54 11", birth="03/03/1970")
        assert "prise en compte" in _post(a, voters[0], "06 98 76 54 11")
        assert "déjà servi" in _post(b, voters[1], "+33 6 98 76 54 11")
        smsc.order(bind="refuse")
        SmsGateway.objects.update(paused_until=None)
        assert "dès que possible" in _post(b, voters[1], "0698765412")
        smsc.order(bind="accept")
        SmsGateway.objects.update(paused_until=None)
        messaging.sms_dispatch(budget_seconds=10)
        for _ in range(2):
            _post(a, voters[0], "+590 690 12 34 56")
        helpdesk = Client()
        staff_login(helpdesk, staff_make("helpdesk"))
        helpdesk.post(
            reverse("helpdesk:voter_reserve", args=[voters[0].pk]), {"phone": "+590690123456"}
        )
        helpdesk.get(reverse("backoffice:voter", args=[voters[0].pk]))
        smsc.wait("receipt", 5)
        texts = [s["text"] for s in smsc.accepted()]
    finally:
        smsc.stop()
    assert len(texts) == 5
    assert SmsMessage.objects.filter(state="sent").count() == 5
    secrets = list(PHONES) + texts
    for voter in voters:
        for index in range(5):
            code = authority.code_derive(credential_set=cset, voter_id=voter.pk, index=index)
            secrets.append(code)
    printed = capfd.readouterr()
    places = {
        "stores": stores_text(),
        "logs": caplog.text + "\n".join(r.getMessage() for r in caplog.records),
        "output": printed.out + printed.err,
        "var": files_text(Path(settings.VAR_DIR), started),
    }
    for secret in secrets:
        for form in secret_forms(secret):
            for place, text in places.items():
                assert form not in text, (place, secret)
    # The wrong NUMEN typed is not kept either (only the outcome "wrong_numen").
    assert "99Z9999999ZZZ" not in places["stores"] + places["logs"]
