"""The staff login in Chromium (ADRs 0510-0511): a manager enrols a TOTP device from the QR
code page's secret, logs out, logs in again with password and code; wrong passwords bring
the CAPTCHA. axe-core on every page, a screenshot of each step in test-artifacts/."""

import base64
import re

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from factories.elections import staff_make
from urne.accounts.captcha import code_from_token

pytestmark = pytest.mark.django_db(transaction=True)


def _submit(page):
    page.locator("main form.card button[type=submit]").last.click()


def _password(page, live_server, username, password):
    page.goto(live_server.url + "/backoffice/login/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    _submit(page)


def test_manager_enrols_then_logs_in_with_the_code(page, live_server, assert_accessible):
    staff_make("manager", username="marie")
    page.goto(live_server.url + "/backoffice/login/")
    assert_accessible(page, "login")
    _password(page, live_server, "marie", "x")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Enregistrer votre application d'authentification"
    )
    expect(page.locator("figure.qr svg")).to_be_visible()
    assert_accessible(page, "enrolment")
    key = base64.b32decode(page.locator("code.secret").inner_text().replace(" ", ""))
    page.get_by_label("Code à 6 chiffres").fill(f"{TOTP(key).token():06d}")
    _submit(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Élections")

    page.get_by_role("button", name="Se déconnecter").click()
    _password(page, live_server, "marie", "x")
    expect(page.get_by_role("heading", level=1)).to_have_text("Code à usage unique")
    page.get_by_label("Code à 6 chiffres").fill("000000")
    _submit(page)
    expect(page.get_by_role("alert")).to_contain_text("Code incorrect")
    assert_accessible(page, "wrong code")


def test_wrong_passwords_bring_the_captcha(page, live_server, assert_accessible, settings):
    settings.URNE_CAPTCHA_ENABLED = True
    staff_make("auditor", username="alex")
    for _ in range(3):
        _password(page, live_server, "alex", "wrong")
    expect(page.get_by_role("alert")).to_contain_text("Identifiant ou mot de passe incorrect.")
    assert_accessible(page, "captcha")
    page.get_by_label("Mot de passe").fill("x")
    src = page.locator("img.captcha__image").get_attribute("src")
    page.get_by_label("CAPTCHA").fill(code_from_token(re.search(r"/captcha/([^/]+)/", src)[1]))
    _submit(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Élections")
