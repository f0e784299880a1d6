"""Participation stays with the polling station during the vote (docs/product.md, "Rules the
platform enforces"): after a real cast, no staff page shows that the voter voted (the cast
receipt in the voter's message log, its time), whatever the role, until the vote is over."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from factories.accounts import mail_clear, voter_client_login
from factories.booth import ballot_make, cast_setup_make
from factories.elections import staff_login, staff_make, vote_window
from urne.elections.models import Election
from urne.messaging.models import OutboxMessage

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])

ROLES = ["manager", "helpdesk", "auditor", "delegate", "bureau"]


@pytest.fixture
def voted():
    """A world where two voters logged in and the first cast a ballot through the endpoint:
    their message logs must look the same."""
    mail_clear()
    world = cast_setup_make(voters=2, lists=3)
    voter, cs = world.voters[0], world.scrutins[0]
    client = Client()
    voter_client_login(client, voter)
    voter_client_login(Client(), world.voters[1])
    body = json.dumps({"scrutin": cs.scrutin.uuid, "ballot": ballot_make(cs, voter.pk, 1)})
    response = client.post(reverse("booth:cast"), body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert OutboxMessage.objects.filter(voter=voter, template="cast_receipt").exists()
    yield world
    mail_clear()


def staff_get(role, path):
    client = Client()
    staff_login(client, staff_make(role))
    return client.get(path)


def _messages(response):
    return [m.template for m in response.context["account_messages"]]


def _message_log(response):
    text = response.text
    return text[text.index("<h3>Messages</h3>") : text.index("</table>")]


@pytest.mark.parametrize("role", ROLES)
def test_no_role_sees_a_receipt_on_the_voter_page_during_the_vote(voted, role):
    voter = voted.voters[0]
    response = staff_get(role, reverse("backoffice:voter", args=[voter.pk]))
    if response.status_code == 403:  # a role without the voter page sees nothing of it
        return
    assert response.status_code == 200
    assert "cast_receipt" not in response.text
    assert "cast_receipt" not in _messages(response)
    # The voter who voted and the one who did not have the same page.
    other = staff_get(role, reverse("backoffice:voter", args=[voted.voters[1].pk]))
    assert _message_log(response) == _message_log(other)


def test_no_role_finds_a_receipt_in_the_voter_search_during_the_vote(voted):
    voter = voted.voters[0]
    election = voter.election
    for role in ROLES:
        response = staff_get(
            role, reverse("backoffice:voter_find", args=[election.pk]) + f"?q={voter.last_name}"
        )
        assert "cast_receipt" not in response.text, role


def test_after_the_close_the_receipt_is_in_the_message_log(voted):
    voter = voted.voters[0]
    Election.objects.filter(pk=voter.election_id).update(**vote_window("after"))
    response = staff_get("helpdesk", reverse("backoffice:voter", args=[voter.pk]))
    assert _messages(response) == ["cast_receipt"]
    assert "Accusé de réception du vote" in response.text
