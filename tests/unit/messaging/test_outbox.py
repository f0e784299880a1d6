"""The outbox against a real local SMTP server (aiosmtpd): states, retries, permanent
failures, idempotence, campaigns (batched, resumable, throttled), templates in FR and EN."""

import pytest

from factories.accounts import voter_with_email
from factories.elections import election_make, staff_make
from urne.audit.models import AuditEvent
from urne.messaging import services
from urne.messaging.models import Campaign, OutboxMessage

pytestmark = pytest.mark.django_db
State = OutboxMessage.State


@pytest.fixture
def election():
    return election_make(name="Élections 2022", style="2022")


def _message(election, email="anne.durand@ac-lyon.fr", language="fr"):
    voter = voter_with_email(election, email)
    return services.message_enqueue(
        template="accounts.opening", voter=voter, language=language, send=False
    )


def test_ready_to_sent_over_smtp(smtp, election):
    message = _message(election)
    assert message.state == State.READY
    assert services.message_send(message_id=message.pk) == State.SENT
    message.refresh_from_db()
    assert message.state == State.SENT and message.sent_at and message.attempts == 1
    [mail] = smtp.messages()
    assert mail["To"] == "anne.durand@ac-lyon.fr"
    assert mail["Subject"] == "Ouverture du portail élections professionnelles"
    assert mail["From"].addresses[0].display_name == "Élections 2022"  # seed 003: the election
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "/compte/ouverture/" in text and "/compte/ouverture/" in html


def test_row_keeps_metadata_only(smtp, election):
    message = _message(election)
    services.message_send(message_id=message.pk)
    text = smtp.messages()[0].get_body(preferencelist=("plain",)).get_content()
    link = next(word for word in text.split() if "/compte/ouverture/" in word)
    row = OutboxMessage.objects.values().get(pk=message.pk)
    assert link.rsplit("#", 1)[-1] not in str(row)
    assert set(row) == {
        "id",
        "template",
        "voter_id",
        "campaign_id",
        "language",
        "metadata",  # ids only (the cast receipt's scrutin, ADR 0586)
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "sent_at",
    }


def test_sending_twice_sends_once(smtp, election):
    message = _message(election)
    services.message_send(message_id=message.pk)
    assert services.message_send(message_id=message.pk) == State.SENT
    assert len(smtp.envelopes) == 1


def test_english_template(smtp, election):
    message = _message(election, language="en")
    services.message_send(message_id=message.pk)
    mail = smtp.messages()[0]
    assert mail["Subject"] == "Opening of the professional elections portal"


def test_refused_recipient_fails_permanently(smtp, election):
    smtp.refuse.add("nobody@ac-lyon.fr")
    message = _message(election, "nobody@ac-lyon.fr")
    assert services.message_send(message_id=message.pk) == State.FAILED
    message.refresh_from_db()
    assert message.last_error == "SMTPRecipientsRefused"
    assert "nobody" not in message.last_error


def test_temporary_failure_retries_then_succeeds(smtp, election, settings):
    smtp.busy = True
    message = _message(election)
    assert services.message_send(message_id=message.pk) == State.READY
    message.refresh_from_db()
    assert message.attempts == 1 and message.next_attempt_at and "451" in message.last_error
    # Not due yet: nothing happens.
    assert services.message_send(message_id=message.pk) == State.READY
    assert message.attempts == 1
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=message.created_at)
    smtp.busy = False
    assert services.outbox_retry_due() == 1
    message.refresh_from_db()
    assert message.state == State.SENT and message.attempts == 2


def test_temporary_failures_give_up_after_max_attempts(smtp, election, settings):
    settings.URNE_MAIL_MAX_ATTEMPTS = 2
    smtp.busy = True
    message = _message(election)
    services.message_send(message_id=message.pk)
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=message.created_at)
    assert services.message_send(message_id=message.pk) == State.FAILED


def test_server_down_is_temporary(settings, election):
    settings.URNE_MAIL_CHANNEL = "urne.messaging.channels.SmtpChannel"
    settings.URNE_SMTP = {"host": "127.0.0.1", "port": 1, "timeout": 2}
    message = _message(election)
    assert services.message_send(message_id=message.pk) == State.READY


def test_a_crashed_sending_row_is_taken_again_after_the_timeout(smtp, election, settings):
    from datetime import timedelta

    from django.utils import timezone

    message = _message(election)
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=State.SENDING, next_attempt_at=timezone.now()
    )
    assert services.message_send(message_id=message.pk) == State.SENDING  # maybe still running
    OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=settings.URNE_MAIL_SENDING_TIMEOUT + 1)
    )
    assert services.message_send(message_id=message.pk) == State.SENT


def test_campaign_batches_resumes_and_audits(smtp, election, settings):
    settings.URNE_MAIL_BATCH_SIZE = 3
    for n in range(7):
        voter_with_email(election, f"v{n}@ac-lyon.fr")
    manager = staff_make("manager")
    campaign = services.campaign_start(
        actor=manager, election=election, template="accounts.opening"
    )
    assert campaign.total == 7
    assert AuditEvent.objects.filter(action="messaging.campaign_start").count() == 1
    # A slice too short to finish still sends one message of one batch; the cursor keeps
    # the progress and the next run resumes.
    assert services.campaign_run(campaign_id=campaign.pk, budget_seconds=0.0) is False
    campaign.refresh_from_db()
    assert campaign.queued == 3 and campaign.state == Campaign.State.RUNNING
    assert len(smtp.envelopes) == 1
    while not services.campaign_run(campaign_id=campaign.pk, budget_seconds=0.05):
        pass
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.DONE and campaign.queued == 7
    assert services.campaign_progress(campaign)["sent"] == 7
    assert len(smtp.envelopes) == 7
    assert sorted(m["To"] for m in smtp.messages()) == sorted(f"v{n}@ac-lyon.fr" for n in range(7))


def test_campaign_resumes_rows_left_ready_by_a_crash(smtp, election, settings):
    settings.URNE_MAIL_BATCH_SIZE = 5
    for n in range(4):
        voter_with_email(election, f"w{n}@ac-lyon.fr")
    campaign = services.campaign_start(actor="t", election=election, template="accounts.opening")
    # Simulate a crash right after the batch was written: rows READY, nothing sent.
    from urne.messaging.services import _campaign_next_batch

    assert len(_campaign_next_batch(campaign, 5)) == 4
    assert services.campaign_run(campaign_id=campaign.pk, budget_seconds=5) is True
    assert len(smtp.envelopes) == 4
    assert OutboxMessage.objects.filter(campaign=campaign).count() == 4  # no duplicate rows


def test_campaign_is_throttled(smtp, election, settings):
    import time

    settings.URNE_MAIL_RATE_PER_SECOND = 20.0
    for n in range(10):
        voter_with_email(election, f"t{n}@ac-lyon.fr")
    campaign = services.campaign_start(actor="t", election=election, template="accounts.opening")
    started = time.monotonic()
    assert services.campaign_run(campaign_id=campaign.pk, budget_seconds=30) is True
    assert time.monotonic() - started >= 0.45  # 10 messages at 20/s


def test_campaign_pause_stops_and_resume_continues(smtp, election, settings):
    settings.URNE_MAIL_BATCH_SIZE = 2
    for n in range(4):
        voter_with_email(election, f"p{n}@ac-lyon.fr")
    campaign = services.campaign_start(actor="t", election=election, template="accounts.opening")
    services.campaign_pause(actor="t", campaign=campaign)
    assert services.campaign_run(campaign_id=campaign.pk, budget_seconds=5) is False
    assert smtp.envelopes == []
    services.campaign_resume(actor="t", campaign=campaign)
    assert services.campaign_run(campaign_id=campaign.pk, budget_seconds=5) is True
    assert len(smtp.envelopes) == 4


def test_unknown_template_is_refused_at_enqueue(election):
    voter = voter_with_email(election, "x@ac-lyon.fr")
    with pytest.raises(KeyError):
        services.message_enqueue(template="nope", voter=voter)


def test_campaign_task_requeues_itself_until_done(
    settings, election, django_capture_on_commit_callbacks
):
    from urne.messaging.channels import MemoryChannel

    MemoryChannel.outbox.clear()
    settings.URNE_MAIL_BATCH_SIZE = 2
    settings.URNE_MAIL_TASK_BUDGET_SECONDS = 0
    for n in range(5):
        voter_with_email(election, f"q{n}@ac-lyon.fr")
    with django_capture_on_commit_callbacks(execute=True):
        campaign = services.campaign_start(
            actor="t", election=election, template="accounts.opening"
        )
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.DONE
    assert len(MemoryChannel.outbox) == 5


def test_two_voters_with_one_address_fail_clearly_not_stuck(smtp, election):
    first = _message(election, "same@ac-lyon.fr")
    second = _message(election, "SAME@ac-lyon.fr")
    assert services.message_send(message_id=first.pk) == State.SENT
    assert services.message_send(message_id=second.pk) == State.FAILED
    second.refresh_from_db()
    assert second.last_error == "AccountError"


def test_outbox_retry_command_sends_due_messages(smtp, election):
    from io import StringIO

    from django.core.management import call_command

    smtp.busy = True
    message = _message(election)
    services.message_send(message_id=message.pk)
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=message.created_at)
    smtp.busy = False
    out = StringIO()
    call_command("outbox_retry", stdout=out)
    assert "1 message(s) tried" in out.getvalue()
    message.refresh_from_db()
    assert message.state == State.SENT
