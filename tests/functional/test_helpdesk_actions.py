"""Helpdesk console: account and message state on the voter page, resend the
opening e-mail, start the failures count again; audited; no secret ever visible."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from factories.accounts import (
    PASSWORD_2022,
    account_make,
    link_path,
    link_token,
    mail_clear,
    mail_outbox,
    voter_with_email,
)
from factories.elections import election_make, staff_login, staff_make
from urne.accounts.models import VoterAccount
from urne.accounts.services import answer_normalise
from urne.audit.models import AuditEvent

pytestmark = pytest.mark.django_db(databases=["default", "authority"])


@pytest.fixture(autouse=True)
def _clean():
    cache.clear()
    mail_clear()


@pytest.fixture
def voter():
    return voter_with_email(election_make(name="E", style="2022"), "anne.durand@ac-lyon.fr")


@pytest.fixture
def helpdesk(client):
    user = staff_make("helpdesk")
    staff_login(client, user)
    return user


def test_voter_page_shows_account_state_without_secrets(client, helpdesk, voter):
    from django.contrib.auth.hashers import make_password

    account = account_make(voter, password=PASSWORD_2022)
    account.challenge_question = "pet"
    account.challenge_answer = make_password(answer_normalise("Médor"))
    account.secret_failures = account.secret_failures_total = 4
    account.secret_failed_at = timezone.now()
    account.save()
    page = client.get(reverse("backoffice:voter", args=[voter.pk])).text
    assert "Compte électeur" in page and "activé" in page and "CAPTCHA demandé" in page
    assert "Question défi enregistrée" in page
    for secret in (PASSWORD_2022, account.password, account.challenge_answer, "Médor", "medor"):
        assert secret not in page
    assert "Ne plus demander le CAPTCHA" in page


def test_resend_opening_sends_a_new_link_and_audits(
    client, helpdesk, voter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("helpdesk:voter_account", args=[voter.pk]), {"action": "resend_opening"}
        )
    assert response.status_code == 302
    [mail] = mail_outbox()
    assert mail.to == voter.email and "/compte/ouverture/" in link_path(mail)
    event = AuditEvent.objects.get(action="accounts.opening_resend")
    assert event.actor == helpdesk.username and event.object_id == str(voter.pk)
    page = client.get(reverse("backoffice:voter", args=[voter.pk])).text
    assert "Ouverture du portail" in page and "envoyé" in page
    assert link_token(mail) not in page


def test_failures_clear_stops_the_captcha_and_audits(client, helpdesk, voter):
    account = account_make(voter)
    VoterAccount.objects.filter(pk=account.pk).update(secret_failures=3, secret_failures_total=3)
    client.post(reverse("helpdesk:voter_account", args=[voter.pk]), {"action": "failures_clear"})
    account.refresh_from_db()
    assert account.secret_failures == 0 and account.secret_failures_total == 3
    assert AuditEvent.objects.filter(
        action="accounts.failures_clear", actor=helpdesk.username
    ).exists()


def test_unknown_action_is_a_clear_message_not_a_500(client, helpdesk, voter):
    response = client.post(
        reverse("helpdesk:voter_account", args=[voter.pk]), {"action": "drop"}, follow=True
    )
    assert response.status_code == 200
    assert "Action inconnue" in response.text


def test_actions_need_the_helpdesk_permission(client, voter):
    staff_login(client, staff_make("auditor"))
    url = reverse("helpdesk:voter_account", args=[voter.pk])
    assert client.post(url, {"action": "failures_clear"}).status_code == 403
    client.logout()
    assert client.post(url, {"action": "failures_clear"}).status_code == 302  # to the staff login


def test_actions_are_post_only(client, helpdesk, voter):
    assert client.get(reverse("helpdesk:voter_account", args=[voter.pk])).status_code == 405
