"""Assistance requests answered and closed by the helpdesk, complaints decided by the manager
(issue "Finish the staff's experience", item 1): the voter is told by e-mail through the
outbox, over a real SMTP server (aiosmtpd; issue "Finish the voter's experience", item 6);
every change audited field by field (old → new); the outbox row keeps the record's id, never the
answer or the address; nothing of either in the logs."""

import logging

import pytest
from django.urls import reverse

from factories.accounts import voter_with_email
from factories.elections import election_make, staff_login, staff_make, voter_make
from urne.audit.models import AuditEvent
from urne.elections.models import Complaint
from urne.elections.services import complaint_file
from urne.messaging.models import OutboxMessage
from urne.portal.models import AssistanceRequest

pytestmark = pytest.mark.django_db(databases=["default", "authority"])

ANSWER = "Votre compte est débloqué : recommencez depuis la page de connexion."


@pytest.fixture
def election():
    return election_make(name="Élections 2026")


@pytest.fixture
def assistance(election):
    return AssistanceRequest.objects.create(
        election=election,
        name="Camille Martin",
        email="camille.martin@ac-lyon.fr",
        topic="account",
        message="Je ne parviens pas à me connecter.",
    )


def _login(client, role):
    user = staff_make(role)
    staff_login(client, user)
    return user


def _post(client, url, capture, **data):
    with capture(execute=True):
        return client.post(url, data)


def _logged(caplog):
    """What the platform logged (not the test's SMTP server, which logs what it receives)."""
    return "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))


def _text(mail):
    return mail.get_body(preferencelist=("plain",)).get_content()


def test_the_helpdesk_answers_a_request_the_answer_reaches_the_address_it_gave(
    client, smtp, assistance, django_capture_on_commit_callbacks, caplog
):
    user = _login(client, "helpdesk")
    url = reverse("helpdesk:assistance_request", args=[assistance.pk])
    page = client.get(reverse("helpdesk:assistance_requests", args=[assistance.election_id]))
    assert url in page.text and "1 demande à traiter." in page.text
    caplog.set_level(logging.DEBUG)
    r = _post(client, url, django_capture_on_commit_callbacks, action="answer", response=ANSWER)
    assert r.status_code == 302
    assistance.refresh_from_db()
    assert assistance.status == "closed" and assistance.response == ANSWER
    assert assistance.closed_by == user and assistance.closed_at
    [mail] = smtp.messages()
    assert mail["To"] == "camille.martin@ac-lyon.fr"
    assert mail["Subject"] == "Réponse à votre demande d'assistance"
    assert ANSWER in _text(mail) and "Cordialement," in _text(mail)
    assert "/assistance/" in _text(mail)
    message = OutboxMessage.objects.get(template="assistance_answer")
    assert message.state == "sent" and message.voter is None
    assert message.metadata == {"assistance": assistance.pk}
    event = AuditEvent.objects.get(action="assistance.answer")
    assert event.actor == user.get_username() and event.data["message"] == message.pk
    assert event.data["changes"] == {"status": ["open", "closed"], "response": ["", ANSWER]}
    logged = _logged(caplog)
    assert ANSWER not in logged and "camille.martin" not in logged
    # Handled: no second answer, the page says so (400).
    again = _post(client, url, django_capture_on_commit_callbacks, action="answer", response="x")
    assert again.status_code == 400 and "déjà traitée" in again.text
    assert len(smtp.envelopes) == 1


def test_a_request_is_closed_without_answer_and_no_mail_goes(
    client, smtp, assistance, django_capture_on_commit_callbacks
):
    _login(client, "manager")
    url = reverse("helpdesk:assistance_request", args=[assistance.pk])
    r = _post(client, url, django_capture_on_commit_callbacks, action="close", response="")
    assert r.status_code == 302
    assistance.refresh_from_db()
    assert assistance.status == "closed" and assistance.response == ""
    assert smtp.envelopes == []
    event = AuditEvent.objects.get(action="assistance.close")
    assert event.data["changes"] == {"status": ["open", "closed"]}
    closed = client.get(
        reverse("helpdesk:assistance_requests", args=[assistance.election_id]) + "?etat=closed"
    )
    assert url in closed.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "answer", "response": "  "}, "La réponse est obligatoire."),
        ({"action": "delete", "response": "x"}, "Action inconnue."),
        ({"response": "x"}, "Action inconnue."),
    ],
)
def test_a_bad_answer_is_refused_and_nothing_changes(
    client, smtp, assistance, django_capture_on_commit_callbacks, data, message
):
    _login(client, "helpdesk")
    url = reverse("helpdesk:assistance_request", args=[assistance.pk])
    r = _post(client, url, django_capture_on_commit_callbacks, **data)
    assert r.status_code == 400 and message in r.text
    assistance.refresh_from_db()
    assert assistance.status == "open"
    assert not AuditEvent.objects.filter(action__startswith="assistance.").exists()
    assert smtp.envelopes == []


def test_a_logged_in_voters_request_is_on_the_voter_page(client, assistance):
    voter = voter_with_email(assistance.election, "camille.martin@ac-lyon.fr")
    _login(client, "helpdesk")
    page = client.get(reverse("backoffice:voter", args=[voter.pk])).text
    assert reverse("helpdesk:assistance_request", args=[assistance.pk]) in page
    assert reverse("authority:replace", args=[voter.pk]) in page


def test_a_decided_complaint_reaches_the_voter_by_mail(
    client, smtp, election, django_capture_on_commit_callbacks, caplog
):
    voter = voter_with_email(election, "anne.durand@ac-lyon.fr")
    complaint = complaint_file(
        election=election, voter=voter, scrutin=None, subject="Mon grade", text="Il est faux."
    )
    user = _login(client, "manager")
    caplog.set_level(logging.DEBUG)
    reason = "Votre grade est corrigé sur la liste électorale."
    r = _post(
        client,
        reverse("backoffice:complaint", args=[complaint.pk]),
        django_capture_on_commit_callbacks,
        status="accepted",
        response=reason,
    )
    assert r.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "accepted" and complaint.decided_by == user
    [mail] = smtp.messages()
    assert mail["To"] == "anne.durand@ac-lyon.fr"
    assert mail["Subject"] == "Décision sur votre réclamation"
    text = _text(mail)
    assert "« Mon grade »" in text and "réclamation acceptée" in text and reason in text
    assert "/reclamation/" in text and "Cordialement," in text
    message = OutboxMessage.objects.get(template="complaint_decision")
    assert message.voter == voter and message.metadata == {"complaint": complaint.pk}
    event = AuditEvent.objects.get(action="complaint.decide")
    assert event.data["changes"] == {"status": ["open", "accepted"], "response": ["", reason]}
    assert event.data["message"] == message.pk
    assert reason not in _logged(caplog) and "anne.durand" not in _logged(caplog)


def test_a_complaint_is_decided_once(client, smtp, election, django_capture_on_commit_callbacks):
    voter = voter_make(election)
    complaint = complaint_file(election=election, voter=voter, scrutin=None, subject="S", text="T")
    _login(client, "manager")
    url = reverse("backoffice:complaint", args=[complaint.pk])
    capture = django_capture_on_commit_callbacks
    assert _post(client, url, capture, status="rejected", response="Non.").status_code == 302
    r = _post(client, url, capture, status="accepted", response="Si.")
    assert r.status_code == 400 and "déjà décidée" in r.text
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.REJECTED and complaint.response == "Non."
    assert len(smtp.envelopes) == 1
    assert "réclamation rejetée" in _text(smtp.messages()[0])


def test_a_complaint_filed_by_staff_without_a_voter_sends_nothing(client, smtp, election):
    complaint = complaint_file(election=election, voter=None, scrutin=None, subject="S", text="T")
    _login(client, "manager")
    r = client.post(
        reverse("backoffice:complaint", args=[complaint.pk]),
        {"status": "rejected", "response": "Non."},
    )
    assert r.status_code == 302
    assert not OutboxMessage.objects.exists()
    assert AuditEvent.objects.get(action="complaint.decide").data["message"] is None


def test_the_answer_in_english(client, smtp, assistance):
    """The composer renders in the row's language: the English e-mail reads English."""
    from urne.messaging.services import message_send
    from urne.portal.answers import assistance_answer

    message = assistance_answer(
        actor=staff_make("helpdesk"), assistance=assistance, response=ANSWER, language="en"
    )
    assert message_send(message_id=message.pk) == "sent"
    mail = smtp.messages()[0]
    assert mail["Subject"] == "Reply to your request for assistance"
    assert "Kind regards," in _text(mail)
