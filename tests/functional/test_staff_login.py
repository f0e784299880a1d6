"""Staff login (ADR 0510-0512): failures bring the CAPTCHA, never a refusal of the right
secret; the admin's login page logs nobody in; the second factor for every role that can
change the election, act on a voter's code or hold a key; the staff session's idle and
absolute expiry (the session's clocks moved back)."""

import base64
import re
import time

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from factories.elections import staff_login, staff_make
from urne.accounts.captcha import code_from_token
from urne.backoffice.staff_auth import SEEN_KEY, SINCE_KEY

pytestmark = pytest.mark.django_db

LOGIN = "/backoffice/login/"
HOME = "/backoffice/"


def _logged_in(client) -> bool:
    return SESSION_KEY in client.session


def _captcha_answer(page: str) -> str:
    match = re.search(r'/compte/captcha/([^/"]+)/image\.png', page)
    assert match, "no CAPTCHA on the page"
    code = code_from_token(match.group(1))
    assert code
    return code


def _code(device: TOTPDevice) -> str:
    """The code the staff member's app shows now, computed by the library."""
    device.refresh_from_db()
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def _forty_wrong(client, url: str, username: str) -> None:
    # From forty addresses: the per-address limit is not what stops a spread-out attack.
    for i in range(40):
        client.post(url, {"username": username, "password": "wrong"}, REMOTE_ADDR=f"10.0.{i}.1")


# --- failures and the CAPTCHA ---------------------------------------------------------------


def test_forty_wrong_passwords_then_the_right_one_needs_the_captcha(client, settings):
    settings.URNE_CAPTCHA_ENABLED = True
    staff_make("auditor", username="alex")
    _forty_wrong(client, LOGIN, "alex")
    page = client.post(LOGIN, {"username": "alex", "password": "x"}).content.decode()
    assert not _logged_in(client)
    assert "CAPTCHA" in page
    # The right password with the CAPTCHA solved is accepted: failures are no lockout.
    response = client.post(
        LOGIN, {"username": "alex", "password": "x", "captcha": _captcha_answer(page)}
    )
    assert response.status_code == 302 and response["Location"] == HOME
    assert _logged_in(client)


def test_the_captcha_comes_after_three_failures_and_a_login_clears_them(client, settings):
    settings.URNE_CAPTCHA_ENABLED = True
    staff_make("auditor", username="alex")
    for _ in range(settings.URNE_STAFF_CAPTCHA_AFTER_FAILURES - 1):
        client.post(LOGIN, {"username": "alex", "password": "wrong"})
    page = client.post(LOGIN, {"username": "alex", "password": "wrong"}).content.decode()
    assert "Identifiant ou mot de passe incorrect." in page and "CAPTCHA" in page
    response = client.post(
        LOGIN, {"username": "alex", "password": "x", "captcha": _captcha_answer(page)}
    )
    assert response.status_code == 302
    client.post(reverse("backoffice:logout"))
    assert client.post(LOGIN, {"username": "alex", "password": "x"}).status_code == 302


def test_an_unknown_name_gets_the_same_answers(client, settings):
    settings.URNE_CAPTCHA_ENABLED = True
    staff_make("auditor", username="alex")
    pages = []
    for name in ("alex", "nobody"):
        for _ in range(3):
            pages.append(client.post(LOGIN, {"username": name, "password": "w"}).content.decode())
    assert all("CAPTCHA" in p for p in (pages[2], pages[5]))
    assert all("Identifiant ou mot de passe incorrect." in p for p in pages)


def test_one_address_is_limited(client):
    staff_make("auditor", username="alex")
    limit = settings.URNE_RATE_LIMITS["staff_login"][0]
    for _ in range(limit):
        client.post(LOGIN, {"username": "alex", "password": "wrong"})
    response = client.post(LOGIN, {"username": "alex", "password": "x"})
    assert response.status_code == 429 and "Trop de tentatives" in response.content.decode()
    assert not _logged_in(client)


def test_the_admin_login_page_logs_nobody_in(client):
    staff_make("manager", username="marie")
    _forty_wrong(client, "/admin/login/", "marie")
    response = client.post("/admin/login/?next=/admin/", {"username": "marie", "password": "x"})
    assert not _logged_in(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:login") + "?next=%2Fadmin%2F"
    # Anonymous visitors of the admin end up on the back office's login page.
    target = client.get("/admin/", follow=True).redirect_chain[-1][0]
    assert target.startswith(reverse("backoffice:login"))


# --- the second factor ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "helpdesk", "bureau", "delegate"])
def test_a_role_that_needs_the_second_factor_has_no_page_without_it(client, role):
    client.force_login(staff_make(role))  # a session without a verified device
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert not _logged_in(client)
    assert client.get("/admin/").status_code == 302


def test_the_auditor_needs_no_second_factor(client):
    staff_make("auditor", username="alex")
    response = client.post(LOGIN, {"username": "alex", "password": "x"})
    assert response.status_code == 302 and response["Location"] == HOME
    assert client.get(HOME).status_code == 200


def test_the_password_alone_gives_no_access_then_the_code_does(client):
    user = staff_make("manager", username="marie")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    response = client.post(
        LOGIN, {"username": "marie", "password": "x", "next": "/backoffice/audit/"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("backoffice:otp")
    assert not _logged_in(client)
    assert client.get(HOME)["Location"].startswith(LOGIN)
    assert client.get("/admin/").status_code == 302
    page = client.get(reverse("backoffice:otp")).content.decode()
    assert "marie" in page and "code" in page.lower()

    bad = client.post(reverse("backoffice:otp"), {"code": "000000"})
    assert "Code incorrect" in bad.content.decode() and not _logged_in(client)
    good = client.post(reverse("backoffice:otp"), {"code": _code(device)})
    assert good.status_code == 302 and good["Location"] == "/backoffice/audit/"
    assert client.get(HOME).status_code == 200


def test_a_code_is_accepted_once(client):
    user = staff_make("manager", username="marie")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.post(LOGIN, {"username": "marie", "password": "x"})
    code = _code(device)
    assert client.post(reverse("backoffice:otp"), {"code": code}).status_code == 302
    client.post(reverse("backoffice:logout"))
    client.post(LOGIN, {"username": "marie", "password": "x"})
    again = client.post(reverse("backoffice:otp"), {"code": code})
    assert again.status_code == 200 and not _logged_in(client)


def test_wrong_codes_send_back_to_the_password_and_bring_the_captcha(client, settings):
    settings.URNE_CAPTCHA_ENABLED = True
    user = staff_make("bureau", username="bruno")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.post(LOGIN, {"username": "bruno", "password": "x"})
    for _ in range(2):
        assert client.post(reverse("backoffice:otp"), {"code": "000000"}).status_code == 200
    third = client.post(reverse("backoffice:otp"), {"code": "000000"})
    assert third.status_code == 302 and third["Location"] == LOGIN
    assert client.get(reverse("backoffice:otp"))["Location"] == LOGIN
    page = client.post(LOGIN, {"username": "bruno", "password": "x"}).content.decode()
    assert "CAPTCHA" in page and not _logged_in(client)


def test_enrolment_shows_the_secret_once_and_a_code_confirms_it(client, caplog):
    caplog.set_level("DEBUG")
    user = staff_make("manager", username="marie")
    response = client.post(LOGIN, {"username": "marie", "password": "x"})
    assert response["Location"] == reverse("backoffice:otp_enrol")
    assert client.get(HOME)["Location"].startswith(LOGIN)  # no page before the enrolment
    page = client.get(reverse("backoffice:otp_enrol")).content.decode()
    assert "<svg" in page  # the QR code of the otpauth URI
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1)
    key = base64.b32decode(secret.replace(" ", ""))
    code = f"{TOTP(key).token():06d}"

    assert (
        "Code incorrect"
        in client.post(reverse("backoffice:otp_enrol"), {"code": "000000"}).content.decode()
    )
    response = client.post(reverse("backoffice:otp_enrol"), {"code": code})
    assert response.status_code == 302 and response["Location"] == HOME
    assert client.get(HOME).status_code == 200
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed and device.bin_key == key
    assert secret.replace(" ", "") not in caplog.text and device.key not in caplog.text

    # Enrolled: the next login asks the code, never shows a secret again.
    client.post(reverse("backoffice:logout"))
    client.post(LOGIN, {"username": "marie", "password": "x"})
    assert client.get(reverse("backoffice:otp_enrol"))["Location"] == reverse("backoffice:otp")


def test_test_factory_logs_staff_in_with_the_second_factor(client):
    staff_login(client, staff_make("manager"))
    assert client.get(HOME).status_code == 200


# --- the session ----------------------------------------------------------------------------


def _clocks(client, *, since_ago: float, seen_ago: float) -> None:
    """Move the session's clocks back: its login ``since_ago`` seconds ago, its last request
    ``seen_ago`` seconds ago (the session's own times are the clock the rule reads)."""
    now = int(time.time())
    session = client.session
    session[SINCE_KEY] = now - since_ago
    session[SEEN_KEY] = now - seen_ago
    session.save()


def test_the_idle_timeout_ends_a_staff_session(client):
    staff_login(client, staff_make("manager"))
    idle = settings.URNE_STAFF_SESSION_IDLE_SECONDS
    _clocks(client, since_ago=idle, seen_ago=idle - 30)
    assert client.get(HOME).status_code == 200  # activity: the idle clock starts again
    assert client.session[SEEN_KEY] >= int(time.time()) - 1
    _clocks(client, since_ago=2 * idle, seen_ago=idle + 5)
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert not _logged_in(client)
    page = client.get(response["Location"]).content.decode()
    assert "Votre session a expiré" in page


def test_the_staff_session_has_an_absolute_lifetime(client):
    staff_login(client, staff_make("auditor"))
    maximum = settings.URNE_STAFF_SESSION_MAX_SECONDS
    _clocks(client, since_ago=maximum - 60, seen_ago=0)
    assert client.get(HOME).status_code == 200
    _clocks(client, since_ago=maximum + 1, seen_ago=0)  # active all along, still ended
    assert client.get(HOME).status_code == 302
    assert not _logged_in(client)


def test_a_staff_session_without_the_clocks_is_ended(client):
    staff_login(client, staff_make("auditor"))
    session = client.session
    del session[SINCE_KEY]
    session.save()
    assert client.get(HOME).status_code == 302 and not _logged_in(client)


def test_the_session_cookie_lasts_the_idle_timeout_not_two_weeks(client):
    staff_make("auditor", username="alex")
    client.post(LOGIN, {"username": "alex", "password": "x"})
    assert client.session.get_expiry_age() == settings.URNE_STAFF_SESSION_IDLE_SECONDS


# --- the demo's codes -----------------------------------------------------------------------


def test_the_demo_code_command_runs_only_with_debug(settings):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from urne.backoffice.staff_auth import totp_device_replace

    device = totp_device_replace(user=staff_make("manager", username="marie"))
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("staff_totp_code", "marie")
    settings.DEBUG = True
    out = StringIO()
    call_command("staff_totp_code", "marie", stdout=out)
    assert out.getvalue().strip() == _code(device)
    with pytest.raises(CommandError, match="password alone"):
        call_command("staff_totp_code", staff_make("auditor").username)
