"""What follows failures on a voter's secret (ADR 0500): the password, the vote code, the
challenge answer. The one rule for all three:

- every failure is counted on the account (since the last right secret, in all, and when), so
  the helpdesk sees an account under attack; what was typed is never kept;
- from `URNE_SECRET_FAILURES_BEFORE_CAPTCHA` failures on, every entry of the account's secrets
  asks the CAPTCHA too (`urne.accounts.captcha`), checked before the secret: a robot that
  cannot read it gets no more guesses;
- the right secret (with the CAPTCHA when asked) is always accepted and starts the count
  again. Nothing refuses it: a lockout would let anyone who knows a voter's professional
  address keep them from voting (the address is public in practice).

Wrong passwords from one address also count under ``password_failures_address``
(`urne.site.ratelimit`): past it, every password typed from that address asks the CAPTCHA,
which stops a spray of a few guesses over many accounts without ever refusing a site.
Counts are updated in one statement (``F() + 1``), so concurrent failures are all counted.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from urne.site.ratelimit import rate_limited, rate_reached

from .models import VoterAccount

log = logging.getLogger(__name__)


def captcha_asked(*, account: VoterAccount | None, address: str | None = None) -> bool:
    """Must the next entry of this account's secret (from this client address) carry a solved
    CAPTCHA? After the account's failures, or a spray from the address."""
    threshold = settings.URNE_SECRET_FAILURES_BEFORE_CAPTCHA
    if account is not None and account.secret_failures >= threshold:
        return True
    return address is not None and rate_reached(name="password_failures_address", key=address)


def secret_failure_record(
    *, account: VoterAccount, kind: str, address: str | None = None, now: datetime | None = None
) -> None:
    """Count one wrong secret on the account (and, for a password, on the client address)."""
    now = now or timezone.now()
    VoterAccount.objects.filter(pk=account.pk).update(
        secret_failures=F("secret_failures") + 1,
        secret_failures_total=F("secret_failures_total") + 1,
        secret_failed_at=now,
    )
    account.refresh_from_db(fields=["secret_failures", "secret_failures_total", "secret_failed_at"])
    if kind == "password" and address is not None:
        rate_limited(hits={"password_failures_address": address})
    log.info("voter account %s: wrong %s (%d in a row)", account.pk, kind, account.secret_failures)


def secret_success_record(*, account: VoterAccount) -> None:
    """The right secret: the count since the last right one starts again (the total stays)."""
    if account.secret_failures:
        VoterAccount.objects.filter(pk=account.pk).update(secret_failures=0)
        account.secret_failures = 0
