"""The bureau's seal page in Chromium (ADRs 0750, 0752): the president runs and wipes the
rehearsal, computes the fingerprint and confirms it; two delegates confirm it from their own
sessions; the page then shows the seal in effect. axe-core on every step."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from factories.elections import staff_login
from factories.seal import seal_world_make
from urne.bureau.models import Seal

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "authority", "urn"])


def _browser_login(context: Any, live_server: Any, user: Any) -> None:
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


def test_the_bureau_rehearses_and_seals(context, page, live_server, assert_accessible) -> None:
    world = seal_world_make(rehearsed=False)
    _browser_login(context, live_server, world.president)
    url = f"{live_server.url}/backoffice/bureau/{world.election.pk}/scellement/"
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vote d'essai et scellement")
    assert_accessible(page, "seal page")
    page.get_by_role("button", name="Faire un vote d'essai").click()
    expect(page.get_by_text("Résultat de l'essai : tout concorde.")).to_be_visible()
    assert_accessible(page, "rehearsal report")
    page.get_by_role("button", name="Effacer le vote d'essai").click()
    expect(
        page.get_by_text("Les urnes réelles sont vides et leurs archives se vérifient.")
    ).to_be_visible()
    page.get_by_role("button", name="Calculer l'empreinte").click()
    seal = Seal.objects.get(election=world.election)
    expect(page.locator("code.fingerprint")).to_have_text(seal.fingerprint)
    page.get_by_role("button", name="Je confirme cette empreinte").click()
    assert_accessible(page, "fingerprint confirmed by the president")
    for user in world.delegates[:2]:
        client = Client()
        staff_login(client, user)
        client.post(url.replace(live_server.url, ""), {"action": "confirm", "seal": seal.pk})
    page.reload()
    expect(page.get_by_role("heading", level=3)).to_contain_text("effectif le")
    page.get_by_role("button", name="Vérifier le scellement maintenant").click()
    expect(page.get_by_role("cell", name="conforme")).to_be_visible()
    assert_accessible(page, "sealed and checked")
