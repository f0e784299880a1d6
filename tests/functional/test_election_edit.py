"""The manager's own page for the election and its calendar (issue "Finish the staff's
experience"): the legal checks (dates in order, a vote of 24 hours to 8 days, the style
fixed once accounts are opened), Paris time in the form and UTC in storage, and every change
audited field by field (old → new), not as a bare "admin.change"."""

import html
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from factories.accounts import account_make
from factories.elections import election_make, staff_login, staff_make, voter_make
from urne.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _form(**over):
    data = {
        "name": "Élections professionnelles 2026",
        "style": "2022",
        "rolls_from": "2026-10-01T09:00",
        "lists_from": "2026-10-15T09:00",
        "complaints_until": "2026-11-20T17:00",
        "vote_opens": "2026-12-01T09:00",
        "vote_closes": "2026-12-08T17:00",
    }
    return data | over


@pytest.fixture
def manager_client(client):
    staff_login(client, staff_make("manager"))
    return client


def _post(client, election, **over):
    return client.post(reverse("backoffice:election_edit", args=[election.pk]), _form(**over))


def test_the_calendar_is_saved_in_utc_and_audited_field_by_field(manager_client):
    election = election_make()
    r = _post(manager_client, election)
    assert r.status_code == 302
    election.refresh_from_db()
    # 09:00 in Paris on 1 December (winter) is 08:00 UTC.
    assert election.vote_opens == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    event = AuditEvent.objects.filter(action="election.update").get()
    changes = event.data["changes"]
    assert changes["vote_opens"][1] == "2026-12-01T08:00:00+00:00"
    assert set(changes) >= {"name", "vote_opens", "vote_closes"}
    # The same form again: nothing changed, nothing audited.
    assert _post(manager_client, election).status_code == 302
    assert AuditEvent.objects.filter(action="election.update").count() == 1


@pytest.mark.parametrize(
    "over,message",
    [
        ({"vote_closes": "2026-12-02T08:59"}, "au moins 24 heures"),
        ({"vote_closes": "2026-12-09T09:01"}, "plus de 8 jours"),
        ({"vote_opens": "2026-11-01T09:00"}, "pas dans l'ordre"),
        ({"name": "  "}, "obligatoire"),
    ],
)
def test_the_legal_checks_refuse_and_change_nothing(manager_client, over, message):
    election = election_make()
    before = (election.name, election.vote_opens, election.vote_closes)
    r = _post(manager_client, election, **over)
    assert r.status_code == 400
    assert message in html.unescape(r.content.decode())
    election.refresh_from_db()
    assert (election.name, election.vote_opens, election.vote_closes) == before
    assert not AuditEvent.objects.filter(action="election.update").exists()


def test_the_style_is_fixed_once_accounts_are_opened(manager_client):
    election = election_make()
    account_make(voter_make(election), activated=False)
    r = _post(manager_client, election, style="2022" if election.style == "2018" else "2018")
    assert r.status_code == 400
    assert "des comptes électeurs sont déjà ouverts" in html.unescape(r.content.decode())
    # The calendar alone may still change.
    assert _post(manager_client, election, style=election.style).status_code == 302


def test_only_the_manager_may_edit(client):
    election = election_make()
    staff_login(client, staff_make("helpdesk"))
    assert _post(client, election).status_code == 403
