"""A worker process on the fault test's databases (faults_settings; ADR 0600): ``make N``
queues N SMS of the tests' kind (migrating first when the stores are SQLite files) and prints
their texts; ``replace N`` makes N voters of a 2018 election ask for a new identifier
through the page's service (ADR 0610) and prints their SMS's texts; ``dispatch PORT
SENDING_TIMEOUT`` runs the dispatch loop against the gateway on PORT; ``check`` prints every
SMS row's state."""

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


def replace(count: int) -> dict[str, object]:
    from datetime import timedelta

    from django.utils import timezone

    from factories.elections import scrutin_make
    from urne.authority.services import credentials_generate
    from urne.portal import replacement

    if connections["default"].vendor == "sqlite":
        for alias in ("default", "authority"):
            call_command("migrate", database=alias, verbosity=0)
    now = timezone.now()
    election = election_make(
        style="2018",
        lists_from=now - timedelta(days=2),
        vote_opens=now - timedelta(hours=1),
        vote_closes=now + timedelta(days=1),
    )
    scrutin_make(election, "CTM")
    voters = [voter_make(election) for _ in range(count)]
    credentials_generate(election=election, actor="tests")
    # The SMS wait for the dispatch workers the test starts (no in-process run here).
    services.sms_dispatch_start = lambda **kwargs: False  # type: ignore[assignment]
    texts = []
    for i, voter in enumerate(voters):
        request = replacement.replacement_request(
            voter=voter, phone=PHONE.format(i), numen=voter.numen, birth_date=voter.birth_date
        )
        texts.append(replacement.compose_sms(SmsMessage.objects.get(pk=request.sms_id)))
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
    elif command == "replace":
        out = replace(int(args[0]))
    elif command == "dispatch":
        out = dispatch(int(args[0]), float(args[1]))
    else:
        out = check()
    print(json.dumps(out))
