"""A server started during the vote is an intervention the bureau sees: one audit event per
election whose vote is under way, shown in that bureau's journal; none outside the vote."""

import pytest
from django.test import Client
from django.urls import reverse

from factories.bureau import member_make
from factories.elections import election_make, election_open_make, staff_login
from urne.audit.models import AuditEvent
from urne.site.restarts import restart_record

pytestmark = pytest.mark.django_db


def test_a_restart_during_the_vote_reaches_that_bureaus_journal_only():
    voting, later = election_open_make(), election_open_make(window="before")
    election_make()  # no calendar at all
    assert restart_record(process="web") == 1
    event = AuditEvent.objects.get(action="system.restart")
    assert event.data["election"] == voting.pk and event.data["process"] == "web"
    client = Client()
    staff_login(client, member_make(voting, "president").user)
    page = client.get(reverse("bureau:journal", args=[voting.pk])).content.decode()
    assert "Redémarrage du service" in page
    other = Client()
    staff_login(other, member_make(later, "president").user)
    page = other.get(reverse("bureau:journal", args=[later.pk])).content.decode()
    assert "Redémarrage du service" not in page
