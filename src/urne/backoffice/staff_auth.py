"""Staff authentication (ADR 0510-0512): failed logins and the CAPTCHA, the second factor,
the staff session's idle and absolute expiry.

- **Failures.** Every wrong password or wrong second-factor code under a login name is
  counted (``StaffLoginFailure``, the name as an HMAC, whether or not it exists). From
  ``URNE_STAFF_CAPTCHA_AFTER_FAILURES`` recent failures on, every attempt under that name,
  password or code, needs a solved CAPTCHA (``urne.accounts.captcha``). Nothing ever refuses
  the right secret with a solved CAPTCHA: someone else's failures cost the staff member a
  CAPTCHA, never their access. The count is forgotten ``URNE_STAFF_FAILURES_FORGET_SECONDS``
  after the last failure and cleared by a complete login. Per-address limits are
  ``urne.site.ratelimit``'s (``staff_login``, ``staff_otp``).
- **Second factor.** A TOTP device (django-otp) for every staff member who can change the
  election, act on a voter's credentials or hold a key (``second_factor_required``). The
  password alone only opens the second step; Django's ``login`` comes after the code.
- **Session.** A staff session ends after ``URNE_STAFF_SESSION_IDLE_SECONDS`` without a
  request and ``URNE_STAFF_SESSION_MAX_SECONDS`` after the login (``staff_session_fresh``,
  asked by ``urne.backoffice.middleware`` on every request).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import StaffLoginFailure
from .permissions import ADMINISTER, BUREAU_PAGES, FIND_VOTER, MANAGE_ELECTION

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

SINCE_KEY = "urne_staff_since"
SEEN_KEY = "urne_staff_seen"
#: The password step passed: {"user": pk, "at": time, "next": url, "tries": codes tried}.
PENDING_KEY = "urne_staff_pending"
#: How long the second step waits for its code after the password.
PENDING_SECONDS = 5 * 60
#: Codes tried after one password before it must be typed again.
PENDING_MAX_CODES = 3

#: Each of these lets its holder change the election (MANAGE_ELECTION), revoke and issue a
#: voter's vote code or reopen their account (FIND_VOTER), or hold a decryption key and see
#: the polling station's pages (BUREAU_PAGES). The auditor's read-only permissions are not
#: among them.
SECOND_FACTOR_PERMS = (MANAGE_ELECTION, FIND_VOTER, BUREAU_PAGES, ADMINISTER)


def second_factor_required(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether ``user`` must log in with a TOTP code as well as the password."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False):
        return True
    return any(user.has_perm(perm) for perm in SECOND_FACTOR_PERMS)  # type: ignore[attr-defined]


# --- failures ---------------------------------------------------------------------------------


def _key(username: str) -> str:
    message = f"staff-login:{username.strip().lower()}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def login_failures(*, username: str, now: float | None = None) -> int:
    """The recent failures under ``username`` (0 once forgotten)."""
    now = time.time() if now is None else now
    row = StaffLoginFailure.objects.filter(key=_key(username)).first()
    if row is None or now - row.last_at > settings.URNE_STAFF_FAILURES_FORGET_SECONDS:
        return 0
    return int(row.count)


def login_failure_record(*, username: str, now: float | None = None) -> None:
    """Count one failure under ``username`` (a forgotten count starts again at 1)."""
    now = time.time() if now is None else now
    forget = settings.URNE_STAFF_FAILURES_FORGET_SECONDS
    with transaction.atomic():
        row, created = StaffLoginFailure.objects.select_for_update().get_or_create(
            key=_key(username), defaults={"count": 1, "last_at": now}
        )
        if created:
            return
        if now - row.last_at > forget:
            row.count = 1
        else:
            row.count = F("count") + 1
        row.last_at = now
        row.save(update_fields=["count", "last_at"])


def login_failures_clear(*, username: str) -> None:
    StaffLoginFailure.objects.filter(key=_key(username)).delete()


def captcha_required(*, username: str, now: float | None = None) -> bool:
    """Whether an attempt under ``username`` needs a solved CAPTCHA."""
    return (
        bool(username)
        and login_failures(username=username, now=now) >= settings.URNE_STAFF_CAPTCHA_AFTER_FAILURES
    )


# --- the two steps ----------------------------------------------------------------------------


def pending_start(
    request: HttpRequest, *, user: Any, next_url: str, now: float | None = None
) -> None:
    """The password was right: remember whose code the second step asks, not logged in yet."""
    now = time.time() if now is None else now
    request.session.cycle_key()
    request.session[PENDING_KEY] = {"user": user.pk, "at": now, "next": next_url, "tries": 0}


def pending_user(request: HttpRequest, *, now: float | None = None) -> Any | None:
    """The user whose password was just accepted, or None (none, too old, or inactive)."""
    now = time.time() if now is None else now
    pending = request.session.get(PENDING_KEY)
    if not pending or now - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    return get_user_model().objects.filter(pk=pending["user"], is_active=True).first()


def pending_code_failed(request: HttpRequest, *, username: str, now: float | None = None) -> bool:
    """Count a wrong code: under the login name, and against this password entry. True when
    the password must be typed again (``PENDING_MAX_CODES`` codes tried)."""
    login_failure_record(username=username, now=now)
    pending = dict(request.session.get(PENDING_KEY) or {})
    pending["tries"] = pending.get("tries", 0) + 1
    if pending["tries"] >= PENDING_MAX_CODES:
        request.session.pop(PENDING_KEY, None)
        return True
    request.session[PENDING_KEY] = pending
    return False


def staff_device(user: Any) -> TOTPDevice | None:
    """The user's confirmed TOTP device, if enrolled."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def totp_enrolment_start(*, user: Any, keep: bool = False) -> TOTPDevice:
    """A new unconfirmed TOTP device with a fresh secret, replacing any earlier unconfirmed
    one: the secret is shown on the page that calls this, never again once confirmed. With
    ``keep``, the unconfirmed one already shown (a confirmation code was wrong) stays."""
    with transaction.atomic():
        if keep and (device := TOTPDevice.objects.filter(user=user, confirmed=False).first()):
            return device
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name="Urne", confirmed=False)


def totp_device_replace(*, user: Any) -> TOTPDevice:
    """A confirmed TOTP device with a fresh secret in place of the user's devices: for the
    demo's staff, whose secret ``demo_setup`` prints, and for an operator re-enrolling
    someone from the shell."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        return TOTPDevice.objects.create(user=user, name="Urne", confirmed=True)


def totp_secret(device: TOTPDevice) -> str:
    """The device's secret as authenticator apps take it typed in (base32)."""
    return base64.b32encode(device.bin_key).decode()


def totp_code_check(*, user: Any, code: str) -> TOTPDevice | None:
    """The device of ``user`` that accepts ``code`` (its confirmed one; else, during
    enrolment, the unconfirmed one, which this confirms), or None. django-otp refuses a code
    already used (``last_t``)."""
    code = "".join(ch for ch in code if not ch.isspace())
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update().filter(user=user).order_by("-confirmed").first()
        )
        if device is None or not device.verify_token(code):
            return None
        if not device.confirmed:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
    return device


def second_factor_login(request: HttpRequest, *, user: Any, device: TOTPDevice | None) -> str:
    """Both steps passed: Django's login, the device remembered in the session (django-otp's
    ``is_verified``), the failures under the name cleared. Returns where to go next."""
    from django.contrib.auth import login

    pending = request.session.pop(PENDING_KEY, None) or {}
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if device is not None:
        request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    login_failures_clear(username=user.get_username())
    return str(pending.get("next") or "")


@dataclass(frozen=True, slots=True)
class Step:
    """What a login step decided: ``outcome`` and, once "done", where to go (``next_url``,
    not yet checked against the host)."""

    outcome: str
    next_url: str = ""


def staff_password_login(
    request: HttpRequest, *, username: str, password: str, next_url: str, now: float | None = None
) -> Step:
    """The first step: check the password (a failure is counted under the name). Outcomes:
    "bad", "done" (logged in: no second factor for this role), "enrol" (no device yet) or
    "code" (the second step asks the device's code)."""
    from django.contrib.auth import authenticate

    user = authenticate(request, username=username, password=password)
    if user is None:
        login_failure_record(username=username, now=now)
        return Step("bad")
    pending_start(request, user=user, next_url=next_url, now=now)
    if not second_factor_required(user):
        return Step("done", second_factor_login(request, user=user, device=None))
    return Step("code" if staff_device(user) is not None else "enrol")


def staff_code_login(
    request: HttpRequest, *, user: Any, code: str, now: float | None = None
) -> Step:
    """The second step (or the enrolment's confirmation). Outcomes: "done" (logged in), "bad"
    (wrong code, counted) or "again" (too many codes for this password: type it again)."""
    device = totp_code_check(user=user, code=code)
    if device is None:
        again = pending_code_failed(request, username=user.get_username(), now=now)
        return Step("again" if again else "bad")
    return Step("done", second_factor_login(request, user=user, device=device))


# --- the session ------------------------------------------------------------------------------


def staff_session_stamp(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: every staff login, whatever made it, starts the clocks and
    gives the session the idle lifetime in the cookie too."""
    if request is None or getattr(request, "session", None) is None:
        return
    now = int(time.time())
    request.session[SINCE_KEY] = now
    request.session[SEEN_KEY] = now
    request.session.set_expiry(settings.URNE_STAFF_SESSION_IDLE_SECONDS)


def staff_session_fresh(request: HttpRequest, *, now: float | None = None) -> bool:
    """Whether the logged-in staff session is within its idle and absolute lifetimes (a
    session without the clocks, made before them, is not). Touches the last-activity time at
    most once a minute."""
    now = int(time.time() if now is None else now)
    session = request.session
    since = session.get(SINCE_KEY)
    seen = session.get(SEEN_KEY)
    if since is None or seen is None:
        return False
    if (
        now - seen > settings.URNE_STAFF_SESSION_IDLE_SECONDS
        or now - since > settings.URNE_STAFF_SESSION_MAX_SECONDS
    ):
        return False
    if now - seen > 60:  # write the session at most once a minute
        session[SEEN_KEY] = now
        session.set_expiry(settings.URNE_STAFF_SESSION_IDLE_SECONDS)
    return True
