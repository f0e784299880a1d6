"""The gateway's shared clock (ADR 0602): the rate every worker keeps together, and the pause
after the gateway failed. One row (`SmsGateway`, pk 1) in the voter store: the worker is
django-tasks-db's, polling that same database, so no other shared store is needed.

`sms_slot_take()` books the next submit slot (`URNE_SMS_RATE_PER_SECOND`: slots 1/rate apart,
whoever books them) and says how long to wait for it; `gateway_failed()` doubles the pause
(from `URNE_SMS_FIRST_PAUSE_SECONDS`, one second, up to `URNE_SMS_MAX_PAUSE_SECONDS`; ten
seconds at most after a throttling answer), `gateway_recovered()` clears it,
`gateway_pause_left()` reads it.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import SmsGateway

THROTTLE_MAX_PAUSE = 10.0


def _locked() -> SmsGateway:
    """The row, locked until the caller's transaction ends (created on first use). One
    statement once it exists: it is taken for every SMS (bench-sms)."""
    row = SmsGateway.objects.select_for_update().filter(pk=1).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            SmsGateway.objects.get_or_create(pk=1)
    except IntegrityError:  # created by another worker meanwhile
        pass
    return SmsGateway.objects.select_for_update().get(pk=1)


def sms_slot_take(*, now: datetime | None = None) -> float:
    """Book the next submit slot; returns the seconds to wait before submitting."""
    step = timedelta(seconds=1 / settings.URNE_SMS_RATE_PER_SECOND)
    with transaction.atomic():
        row = _locked()
        now = now or timezone.now()
        slot = max(now, row.next_slot or now)
        row.next_slot = slot + step
        row.save(update_fields=["next_slot"])
    return (slot - now).total_seconds()


def gateway_failed(*, error: str, throttled: bool = False) -> float:
    """Count a failure and pause every worker; returns the pause in seconds."""
    with transaction.atomic():
        row = _locked()
        row.failures += 1
        cap = THROTTLE_MAX_PAUSE if throttled else settings.URNE_SMS_MAX_PAUSE_SECONDS
        first = settings.URNE_SMS_FIRST_PAUSE_SECONDS
        pause = min(float(cap), first * 2.0 ** (row.failures - 1))
        row.paused_until = timezone.now() + timedelta(seconds=pause)
        row.last_error = error[:200]
        row.save(update_fields=["failures", "paused_until", "last_error"])
    return pause


def gateway_recovered() -> None:
    SmsGateway.objects.filter(pk=1, failures__gt=0).update(
        failures=0, paused_until=None, last_error=""
    )


def gateway_pause_left() -> float:
    until = SmsGateway.objects.filter(pk=1).values_list("paused_until", flat=True).first()
    return max(0.0, (until - timezone.now()).total_seconds()) if until else 0.0


def gateway_failing() -> bool:
    """Whether the gateway's last answer was a failure (down, bind refused, throttled)."""
    return SmsGateway.objects.filter(pk=1, failures__gt=0).exists()
