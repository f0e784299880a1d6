"""The bureau's control and participation pages and the booth during a suspension, in
Chromium, with axe-core (RGAA / WCAG AA): the president suspends from the page, the voter's
booth says the bureau suspended the vote, the participation chart and its table."""

import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from factories.accounts import voter_client_login
from factories.booth import ballot_make, cast_setup_make
from factories.control import bureau_make
from factories.elections import staff_login

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "authority", "urn"])


def _cookie(context, live_server, client):
    name = settings.SESSION_COOKIE_NAME
    context.add_cookies(
        [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
    )


def test_suspend_from_the_page_then_the_booth_and_participation(
    page, context, live_server, assert_accessible, voter_login
):
    world = cast_setup_make(voters=3, lists=3, scrutins=1)
    election = world.voters[0].election
    bureau = bureau_make(election)
    voter = Client()
    voter_client_login(voter, world.voters[1])
    body = json.dumps(
        {
            "scrutin": world.scrutins[0].scrutin.uuid,
            "ballot": ballot_make(world.scrutins[0], world.voters[1].pk),
        }
    )
    assert (
        voter.post(reverse("booth:cast"), body, content_type="application/json").status_code == 200
    )

    president = Client()
    staff_login(president, bureau.user)
    _cookie(context, live_server, president)
    page.goto(live_server.url + reverse("bureau:participation", args=[election.pk]))
    expect(page.locator("#total-voted")).to_have_text("1")
    expect(page.locator("svg[role=img]")).to_be_visible()
    assert_accessible(page, "participation")
    page.goto(
        live_server.url
        + reverse("bureau:participation_scrutin", args=[world.scrutins[0].scrutin.pk])
    )
    assert_accessible(page, "participation-d-un-scrutin")

    page.goto(live_server.url + reverse("bureau:control", args=[election.pk]))
    assert_accessible(page, "controle-ouvert")
    page.get_by_label("Suspendre le vote").check()
    for member in [bureau.president, *bureau.delegates]:
        page.get_by_label(str(member)).check()
    page.get_by_label("Motif").fill("Incident chez l'hébergeur")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator("#vote-state")).to_have_text("suspendu par le bureau")
    assert_accessible(page, "controle-suspendu")

    context.clear_cookies()
    voter_login(world.voters[0])
    page.goto(live_server.url + "/vote/")
    expect(page.locator("#vote-suspended")).to_contain_text("Le bureau de vote a suspendu le vote.")
    assert_accessible(page, "isoloir-suspendu")
