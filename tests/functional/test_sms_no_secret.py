"""No vote code, phone number or SMS text in any store or log (ADRs 0600, 0601): SMS sent
through the real SMPP server of the tests with every path taken (a refused bind, throttling,
an unanswered submit, receipts), and through the development file channel; then every table
of the three stores, every log record (DEBUG and up, the SMPP library's included), what the
processes printed and every file written under var/ are searched, in clear, in hex and in
UTF-16."""

import logging
import time
from pathlib import Path

import pytest

from factories.elections import election_make, voter_make
from factories.smsc import (
    Smsc,
    smpp_settings,
    sms_code_for_tests,
    sms_kind_for_tests,
    sms_text_for_tests,
)
from factories.stores import files_text, secret_forms, stores_text
from urne.messaging import services
from urne.messaging.models import SmsGateway, SmsMessage
from urne.messaging.sms_channels import FileSmsChannel

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])
PHONES = ["+33698765401", "+33698765402", "+33698765403", "+33698765404"]


def test_no_code_phone_or_text_anywhere(settings, tmp_path, caplog, capfd):
    started = time.time() - 1
    caplog.set_level(logging.DEBUG)
    settings.URNE_SMS_DIR = tmp_path / "var" / "sms"
    settings.URNE_SMS_FIRST_PAUSE_SECONDS = 0.05
    kind = sms_kind_for_tests()
    election = election_make(style="2018")
    voters = [voter_make(election, mobile="") for _ in PHONES]
    secrets = []
    for i, (voter, phone) in enumerate(zip(voters, PHONES, strict=True)):
        services.sms_enqueue(voter=voter, kind=kind, phone=phone, metadata={"index": i}, send=False)
        secrets += [phone, sms_code_for_tests(voter.pk, i), sms_text_for_tests(voter.pk, i)]

    smsc = Smsc()
    try:
        smpp_settings(settings, smsc.port, timeout=1)
        smsc.order(bind="refuse")
        services.sms_dispatch(budget_seconds=0.3)
        smsc.order(bind="accept", submit="hold")
        SmsGateway.objects.update(paused_until=None)
        settings.URNE_SMS_FIRST_PAUSE_SECONDS = 5  # the run stops at the pause that follows
        services.sms_dispatch(budget_seconds=3)  # the first: unanswered, uncertain
        settings.URNE_SMS_FIRST_PAUSE_SECONDS = 0.05
        smsc.order(submit="accept", throttle_next=2, receipts="UNDELIV")
        SmsGateway.objects.update(paused_until=None)
        first = SmsMessage.objects.filter(state=SmsMessage.State.READY).order_by("pk").first()
        SmsMessage.objects.exclude(pk=first.pk).filter(state="ready").update(state="failed")
        services.sms_dispatch(budget_seconds=10)  # the second: throttled twice, then sent
        assert len(smsc.accepted()) == 1
    finally:
        smsc.stop()
    # The rest through the development channel (sealed files under var/).
    settings.URNE_SMS_CHANNEL = "urne.messaging.sms_channels.FileSmsChannel"
    SmsMessage.objects.filter(state="failed").update(state="ready")
    SmsGateway.objects.update(paused_until=None)
    services.sms_dispatch(budget_seconds=10)
    assert len(FileSmsChannel.messages()) == 2

    states = sorted(SmsMessage.objects.values_list("state", flat=True))
    assert states == ["sent", "sent", "sent", "uncertain"]
    assert logging.getLogger("smpplib.client").getEffectiveLevel() >= logging.WARNING
    printed = capfd.readouterr()
    places = {
        "stores": stores_text(),
        "logs": caplog.text + "\n".join(r.getMessage() for r in caplog.records),
        "output": printed.out + printed.err,
        "var": files_text(Path(settings.VAR_DIR), started) + files_text(tmp_path / "var", started),
    }
    assert caplog.records  # the paths above do log (warnings of the gateway's failures)
    for secret in secrets:
        for form in secret_forms(secret):
            for place, text in places.items():
                assert form not in text, (place, secret)
