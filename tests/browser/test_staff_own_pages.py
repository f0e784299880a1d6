"""The staff's own pages that replace the Django admin (issue "Finish the staff's
experience", item 1), in Chromium: the manager adds a union, registers a joint list with its
split key, changes it, decides a complaint; the helpdesk answers an assistance request and
follows the voter page's link to the code replacement. A screenshot and axe-core on every
page (test-artifacts/)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from factories.elections import staff_login, staff_make
from factories.workflows import workflow_world_make
from urne.audit.models import AuditEvent
from urne.elections.models import CandidateList, Complaint, Scrutin
from urne.portal.models import AssistanceRequest

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


def test_the_manager_registers_and_changes_a_list_and_decides_a_complaint(
    context, page, live_server, assert_accessible
) -> None:
    world = workflow_world_make()
    other = Scrutin.objects.create(
        election=world.election,
        body=world.scrutin.body,
        level=world.scrutin.level,
        perimeter="Grenoble",
        titular_seats=2,
        substitute_seats=2,
    )
    _browser_login(context, live_server, staff_make("manager"))
    base = f"{live_server.url}/backoffice"
    page.goto(f"{base}/elections/{world.election.pk}/")
    assert_accessible(page, "election page")
    page.get_by_role("link", name="organisations syndicales").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisations syndicales")
    page.get_by_label("Nom de l'organisation syndicale").fill("Syndicat C")
    page.get_by_label("Sigle").fill("SC")
    page.get_by_role("button", name="Ajouter").click()
    expect(page.get_by_role("cell", name="SC", exact=True)).to_be_visible()
    assert_accessible(page, "unions")
    page.get_by_role("link", name="Listes de candidats et leurs contrôles").click()
    page.get_by_role("link", name="Déposer une liste").click()
    assert_accessible(page, "list registration form")
    page.get_by_label("Scrutin").select_option(str(other.pk))
    page.get_by_label("Intitulé de la liste").fill("SA – SC")
    page.get_by_label("SA — Syndicat A").check()
    page.get_by_label("Part de SA (%)").fill("70")
    page.get_by_label("SC — Syndicat C").check()
    page.get_by_label("Part de SC (%)").fill("20")
    page.get_by_label("Candidats, dans l'ordre de la liste").fill(
        "DURAND ; Anne ; F\nMARTIN ; Bruno ; H\nPETIT ; Chloé ; F"
    )
    page.get_by_role("button", name="Enregistrer la liste").click()
    expect(page.get_by_role("alert")).to_contain_text("totaliser 100 %")
    assert_accessible(page, "list refused: split key")
    page.get_by_label("Part de SC (%)").fill("30")
    page.get_by_role("button", name="Enregistrer la liste").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("SA – SC")
    assert_accessible(page, "list registered")
    page.get_by_role("link", name="Modifier ou retirer la liste").click()
    page.get_by_label("Intitulé de la liste").fill("SA – SC unies")
    assert_accessible(page, "list change form")
    page.get_by_role("button", name="Enregistrer la liste").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("SA – SC unies")
    lst = CandidateList.objects.get(scrutin=other)
    changes = AuditEvent.objects.get(action="list.update", object_id=str(lst.pk)).data["changes"]
    assert changes == {"label": ["SA – SC", "SA – SC unies"]}
    page.goto(f"{base}/complaints/{world.complaint.pk}/")
    assert_accessible(page, "complaint")
    page.get_by_label("Décision").select_option("accepted")
    page.get_by_label("Réponse motivée").fill("Votre académie est corrigée.")
    page.get_by_role("button", name="Décider").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Réclamations")
    assert Complaint.objects.get(pk=world.complaint.pk).status == "accepted"
    assert_accessible(page, "complaints after the decision")


def test_the_helpdesk_answers_a_request_and_finds_the_code_replacement(
    context, page, live_server, assert_accessible
) -> None:
    world = workflow_world_make()
    request = AssistanceRequest.objects.create(
        election=world.election,
        voter=world.voter,
        name=f"{world.voter.first_name} {world.voter.last_name}",
        email=world.voter.email,
        topic="vote_code",
        message="Je n'ai pas reçu ma notice.",
    )
    _browser_login(context, live_server, staff_make("helpdesk"))
    base = f"{live_server.url}/backoffice"
    page.goto(f"{base}/elections/{world.election.pk}/voters/")
    page.get_by_role("link", name="Demandes d'assistance").click()
    expect(page.get_by_text("1 demande à traiter.")).to_be_visible()
    assert_accessible(page, "assistance requests")
    page.get_by_role("link", name="Ma notice ou mon code de vote").click()
    assert_accessible(page, "assistance request")
    page.get_by_label("Réponse envoyée par courriel").fill("Votre notice vous est renvoyée.")
    page.get_by_role("button", name="Envoyer la réponse et clore").click()
    expect(page.get_by_role("status")).to_contain_text("Réponse envoyée par courriel")
    request.refresh_from_db()
    assert request.status == "closed"
    page.goto(f"{base}/voters/{world.voter.pk}/")
    assert_accessible(page, "voter page")
    page.get_by_role("link", name="États des codes et remplacement du code").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(world.voter.last_name)
    assert_accessible(page, "code replacement")
    # The same pages in English.
    page.goto(f"{live_server.url}/en/backoffice/assistance/demandes/{request.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Assistance request")
    assert_accessible(page, "assistance request in English")
