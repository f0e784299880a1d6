"""The voter's session, separate from Django's staff `auth` session (ADR 0200).

Keys: the account id, an HMAC of the stored password hash (changing the password ends every
other session, as `django.contrib.auth` does), and the times of login and last activity
(idle and absolute expiry).
"""

import time
from dataclasses import dataclass

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
    return session_hash_of(account.password)


def session_hash_of(password_hash: str) -> str:
    """The HMAC a session keeps of an account's stored password hash."""
    return salted_hmac("urne.accounts.session", password_hash, algorithm="sha256").hexdigest()


@dataclass(frozen=True, slots=True)
class SessionClaim:
    """What a voter session claims, before the account is read: the account id and the HMAC
    of its password hash at login. Not a login until `session_claim_valid` says so."""

    account_id: int
    hash: str


def session_claim(request: HttpRequest) -> SessionClaim | None:
    """The session's claim (ADR 0330), after the idle and absolute expiry checks and the
    last-activity touch, without reading the account: for an endpoint that reads the account
    row in its own query (the cast). The caller must check the claim against the account's
    current password hash with `session_claim_valid` and call `session_forget` if it fails."""
    if getattr(request, "_urne_account", None) is not None:
        account = request._urne_account  # type: ignore[attr-defined]
        return SessionClaim(account_id=account.pk, hash=session_hash(account))
    session = getattr(request, "session", None)
    if session is None or ACCOUNT_KEY not in session or not _fresh(request, session):
        return None
    return SessionClaim(account_id=int(session[ACCOUNT_KEY]), hash=session.get(HASH_KEY, ""))


def session_claim_valid(claim: SessionClaim, password_hash: str | None) -> bool:
    """Whether the claim holds for the account's current password hash (None: no account)."""
    return password_hash is not None and constant_time_compare(
        claim.hash, session_hash_of(password_hash)
    )


def session_forget(request: HttpRequest) -> None:
    """Drop the voter keys of a session whose claim failed (account gone, password changed)."""
    session = getattr(request, "session", None)
    if session is not None:
        for key in KEYS:
            session.pop(key, None)
    request._urne_account = None  # type: ignore[attr-defined]


def _fresh(request: HttpRequest, session: object) -> bool:
    """The idle and absolute expiry checks; touches the last-activity time at most once a
    minute. An expired session loses its voter keys."""
    now = int(time.time())
    idle = settings.URNE_VOTER_SESSION_IDLE_SECONDS
    maximum = settings.URNE_VOTER_SESSION_MAX_SECONDS
    since = session.get(SINCE_KEY, 0)  # type: ignore[attr-defined]
    seen = session.get(SEEN_KEY, 0)  # type: ignore[attr-defined]
    if now - seen > idle or now - since > maximum:
        for key in KEYS:
            session.pop(key, None)  # type: ignore[attr-defined]
        request.urne_session_expired = True  # type: ignore[attr-defined]
        return False
    if now - seen > 60:  # write the session at most once a minute
        session[SEEN_KEY] = now  # type: ignore[index]
    return True


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
        return request._urne_account
    account = _session_account(request)
    request._urne_account = account  # type: ignore[attr-defined]
    return account


def _session_account(request: HttpRequest) -> VoterAccount | None:
    session = getattr(request, "session", None)
    if session is None or ACCOUNT_KEY not in session or not _fresh(request, session):
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
    return account
