"""A worker process on the fault test's databases (faults_settings; ADR 0600): ``make N``
queues N SMS of the tests' kind (migrating first when the stores are SQLite files) and prints
their texts; ``dispatch PORT SENDING_TIMEOUT`` runs the dispatch loop against the gateway on
PORT; ``check`` prints every SMS row's state."""

import json
import sys

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from factories.elections import election_make, voter_make  # noqa: E402
from factories.smsc import smpp_settings, sms_kind_for_tests, sms_text_for_tests  # noqa: E402
from urne.messaging import services  # noqa: E402
from urne.messaging.models import SmsMessage  # noqa: E402

PHONE = "+33612345{:03d}"


def make(count: int) -> dict[str, object]:
    if connections["default"].vendor == "sqlite":
        call_command("migrate", database="default", verbosity=0)
    election = election_make(style="2018")
    kind = sms_kind_for_tests()
    texts = []
    for i in range(count):
        voter = voter_make(election)
        services.sms_enqueue(
            voter=voter, kind=kind, phone=PHONE.format(i), metadata={"index": i}, send=False
        )
        texts.append(sms_text_for_tests(voter.pk, i))
    return {"texts": texts}


def dispatch(port: int, sending_timeout: float) -> dict[str, object]:
    sms_kind_for_tests()
    smpp_settings(settings, port, timeout=30)
    settings.URNE_SMS_SENDING_TIMEOUT = sending_timeout
    settings.URNE_SMS_FIRST_PAUSE_SECONDS = 0.05
    settings.URNE_SMS_RATE_PER_SECOND = 100
    return {"again": services.sms_dispatch(budget_seconds=20)}


def check() -> dict[str, object]:
    rows = SmsMessage.objects.order_by("pk").values(
        "state", "attempts", "gateway_id", "recipient_sealed", "receipt_state"
    )
    return {"rows": [{**r, "recipient_sealed": r["recipient_sealed"] is not None} for r in rows]}


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "make":
        out = make(int(args[0]))
    elif command == "dispatch":
        out = dispatch(int(args[0]), float(args[1]))
    else:
        out = check()
    print(json.dumps(out))
