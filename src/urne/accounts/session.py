"""The voter's session, separate from Django's staff `auth` session (ADR 0200).

Keys: the account id, an HMAC of the stored password hash (changing the password ends every
other session, as `django.contrib.auth` does), and the times of login and last activity
(idle and absolute expiry).
"""

import time

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac

from .models import VoterAccount

ACCOUNT_KEY = "urne_voter_account"
HASH_KEY = "urne_voter_hash"
SINCE_KEY = "urne_voter_since"
SEEN_KEY = "urne_voter_seen"
KEYS = (ACCOUNT_KEY, HASH_KEY, SINCE_KEY, SEEN_KEY)


def session_hash(account: VoterAccount) -> str:
    return salted_hmac("urne.accounts.session", account.password, algorithm="sha256").hexdigest()


def session_start(request: HttpRequest, account: VoterAccount) -> None:
    """Log `account` in: a new session key (no fixation), the voter keys set."""
    request.session.cycle_key()
    now = int(time.time())
    request.session[ACCOUNT_KEY] = account.pk
    request.session[HASH_KEY] = session_hash(account)
    request.session[SINCE_KEY] = now
    request.session[SEEN_KEY] = now
    request._urne_account = account  # type: ignore[attr-defined]


def session_end(request: HttpRequest) -> None:
    """Log the voter out: the whole session is flushed (and with it any CAPTCHA state)."""
    request.session.flush()
    request._urne_account = None  # type: ignore[attr-defined]


def session_account(request: HttpRequest) -> VoterAccount | None:
    """The logged-in account, or None when absent, expired or invalidated. Touches the
    last-activity time."""
    if hasattr(request, "_urne_account"):
        return request._urne_account  # type: ignore[no-any-return]
    account = _session_account(request)
    request._urne_account = account  # type: ignore[attr-defined]
    return account


def _session_account(request: HttpRequest) -> VoterAccount | None:
    session = getattr(request, "session", None)
    if session is None or ACCOUNT_KEY not in session:
        return None
    now = int(time.time())
    idle = settings.URNE_VOTER_SESSION_IDLE_SECONDS
    maximum = settings.URNE_VOTER_SESSION_MAX_SECONDS
    since = session.get(SINCE_KEY, 0)
    seen = session.get(SEEN_KEY, 0)
    if now - seen > idle or now - since > maximum:
        for key in KEYS:
            session.pop(key, None)
        request.urne_session_expired = True  # type: ignore[attr-defined]
        return None
    account = (
        VoterAccount.objects.select_related("voter", "voter__election", "election")
        .filter(pk=session[ACCOUNT_KEY])
        .first()
    )
    if account is None or not constant_time_compare(
        session.get(HASH_KEY, ""), session_hash(account)
    ):
        for key in KEYS:
            session.pop(key, None)
        return None
    if now - seen > 60:  # write the session at most once a minute
        session[SEEN_KEY] = now
    return account
