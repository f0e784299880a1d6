"""Back-office messaging pages: campaign start and progress (managers), DEBUG mailbox
(managers: it shows every opening and reset link)."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from factories.accounts import mail_clear, mail_outbox, voter_with_email
from factories.elections import election_make, staff_login, staff_make
from urne.messaging.models import Campaign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean():
    cache.clear()
    mail_clear()


def test_manager_starts_the_opening_campaign_and_sees_progress(
    client, django_capture_on_commit_callbacks
):
    election = election_make(name="E", style="2022")
    for n in range(3):
        voter_with_email(election, f"v{n}@ac-lyon.fr")
    staff_login(client, staff_make("manager"))
    page = client.get(reverse("messaging:campaigns", args=[election.pk]))
    assert page.status_code == 200 and "Lancer l" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("messaging:campaigns", args=[election.pk]), {"template": "accounts.opening"}
        )
    campaign = Campaign.objects.get()
    assert response["Location"] == reverse("messaging:campaign", args=[campaign.pk])
    assert len(mail_outbox()) == 3
    progress = client.get(reverse("messaging:campaign", args=[campaign.pk]) + "?format=json")
    assert progress.json() == {
        "total": 3,
        "queued": 3,
        "sent": 3,
        "failed": 0,
        "waiting": 0,
        "state": "done",
        "percent": 100,
    }
    page = client.get(reverse("messaging:campaign", args=[campaign.pk])).text
    assert "<progress" in page and "3 envoyés" in page


def test_unknown_template_is_refused(client):
    election = election_make(name="E")
    staff_login(client, staff_make("manager"))
    response = client.post(
        reverse("messaging:campaigns", args=[election.pk]), {"template": "x"}, follow=True
    )
    assert "Modèle de message inconnu" in response.text
    assert not Campaign.objects.exists()


def test_helpdesk_cannot_start_a_campaign(client):
    election = election_make(name="E")
    staff_login(client, staff_make("helpdesk"))
    assert client.get(reverse("messaging:campaigns", args=[election.pk])).status_code == 403


def test_mailbox_is_404_unless_debug(client, settings, tmp_path):
    settings.URNE_MAIL_DIR = tmp_path
    settings.DEBUG = False
    assert client.get(reverse("messaging:mailbox")).status_code == 404


def test_mailbox_shows_the_file_channel_mail_in_debug_to_managers_only(
    client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.URNE_MAIL_DIR = tmp_path
    settings.URNE_MAIL_CHANNEL = "urne.messaging.channels.FileChannel"
    settings.DEBUG = True
    from urne.accounts.services import opening_send

    voter = voter_with_email(election_make(name="E"), "anne@ac-lyon.fr")
    with django_capture_on_commit_callbacks(execute=True):
        opening_send(voter=voter)
    url = reverse("messaging:mailbox")
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/compte/ouverture/" not in anonymous.text
    staff_login(client, staff_make("helpdesk"))
    assert client.get(url).status_code == 403
    staff_login(client, staff_make("manager"))
    page = client.get(url).text
    assert "Ouverture du portail" in page and "anne@ac-lyon.fr" in page
    assert "/compte/ouverture/" in page
