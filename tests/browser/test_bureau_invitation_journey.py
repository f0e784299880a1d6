"""A bureau member's invitation in Chromium (ADR 0700): the manager names and invites the
president from the members page; the president opens the e-mailed link (its token in the
fragment, never sent to the server), chooses a password, registers an authenticator from
the enrolment page's secret, and lands on the bureau's home, then opens its journal and its
lost-key page. axe-core on every page; the token and the password in no log (``unlogged``)."""

import base64
import re

import pytest
from django.conf import settings
from django.test import Client
from django_otp.oath import TOTP
from playwright.sync_api import expect

from factories.accounts import mail_clear, mail_outbox
from factories.elections import staff_login, staff_make
from factories.workflows import workflow_world_make

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

PASSWORD = "Bureau-de-vote 2026 !"  # noqa: S105 - the test member's own password
LINK = re.compile(r"https?://\S+/backoffice/bureau/invitation/#([A-Za-z0-9_-]{40,})")


def _staff_cookie(context, live_server, user):
    client = Client()
    staff_login(client, user)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_a_president_accepts_the_invitation_and_sees_the_bureau(
    page, context, live_server, assert_accessible, unlogged
):
    mail_clear()
    w = workflow_world_make()
    _staff_cookie(context, live_server, staff_make("manager"))
    page.goto(f"{live_server.url}/backoffice/bureau/elections/{w.election.pk}/membres/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Membres du bureau de vote électronique"
    )
    assert_accessible(page, "members, empty")
    page.get_by_label("Rôle").select_option("president")
    page.get_by_label("Nom et prénom").fill("Paule Président")
    page.get_by_label("Courriel professionnel").fill("paule@ac-lyon.fr")
    page.get_by_role("button", name="Ajouter").click()
    expect(page.get_by_role("status").first).to_have_text("Membre ajouté.")
    page.get_by_role("button", name="Inviter").click()
    expect(page.get_by_role("status").first).to_contain_text("Invitation envoyée")
    expect(page.locator("td .tag")).to_have_text("invité, en attente")
    assert_accessible(page, "members, invited")

    (mail,) = mail_outbox()
    token = LINK.search(mail.text)[1]
    unlogged.update({token, PASSWORD})
    context.clear_cookies()  # the president's own browser, nobody logged in
    page.goto(live_server.url + "/backoffice/bureau/invitation/#" + token)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choisir votre mot de passe")
    assert "#" not in page.url
    assert_accessible(page, "password")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Enregistrer votre application d'authentification"
    )
    assert_accessible(page, "enrolment")
    key = base64.b32decode(page.locator("code.secret").inner_text().replace(" ", ""))
    page.get_by_label("Code à 6 chiffres").fill(f"{TOTP(key).token():06d}")
    page.locator("main form.card button[type=submit]").last.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Bureau de vote électronique — {w.election.name}"
    )
    expect(page.get_by_text("Vous êtes connecté(e) en tant que Président")).to_be_visible()
    expect(page.locator("table").first).to_contain_text("accès créé")
    assert_accessible(page, "bureau home")
    page.get_by_role("link", name="Journal des interventions").click()
    expect(page.get_by_role("cell", name="Accès créé par le membre")).to_be_visible()
    assert_accessible(page, "journal")
    page.get_by_role("link", name="Retour au bureau").click()
    page.get_by_role("link", name="Clé perdue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clé perdue")
    assert_accessible(page, "lost key")

    # The link again, in a fresh browser: spent.
    context.clear_cookies()
    page.goto(live_server.url + "/backoffice/bureau/invitation/#" + token)
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitation non valable")
    assert_accessible(page, "invitation spent")
