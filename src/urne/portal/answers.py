"""The answers staff send to voters by e-mail (issue "Finish the voter's experience", item 6):
the helpdesk's answer to an assistance request (answered and closed here, or closed without
an answer), and the manager's decision on a complaint (decided by
``elections.services.complaint_decide``). Both go through the outbox (ADR 0204): its row
names the record ("assistance:<id>", "complaint:<id>"), the composers below read the answer
from it at send time, and every change is audited field by field (old → new)."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from urne.audit.services import audit_append, field_changes
from urne.elections.models import Complaint
from urne.messaging.channels import Email
from urne.messaging.models import OutboxMessage
from urne.messaging.registry import email_render
from urne.messaging.services import message_enqueue

from .models import AssistanceRequest

TEMPLATE_ASSISTANCE_ANSWER = "assistance_answer"
Status = AssistanceRequest.Status


def _locked(assistance: AssistanceRequest) -> AssistanceRequest:
    locked = AssistanceRequest.objects.select_for_update().get(pk=assistance.pk)
    if locked.status != Status.OPEN:
        raise ValidationError(_("Cette demande est déjà traitée."))
    return locked


@transaction.atomic
def assistance_answer(
    *, actor: Any, assistance: AssistanceRequest, response: str, language: str = "fr"
) -> OutboxMessage:
    """Answer an open request and close it: the answer is e-mailed to the address the
    request gave (the voter's, when a logged-in voter wrote it). Audited old → new."""
    if not response.strip():
        raise ValidationError(_("La réponse est obligatoire."))
    assistance = _locked(assistance)
    new = {"status": Status.CLOSED, "response": response.strip()}
    changes = field_changes(assistance, new)
    assistance.status, assistance.response = new["status"], new["response"]
    assistance.closed_at, assistance.closed_by = timezone.now(), actor
    assistance.save(update_fields=["status", "response", "closed_at", "closed_by"])
    message = message_enqueue(
        template=TEMPLATE_ASSISTANCE_ANSWER,
        voter=assistance.voter,
        language=language,
        metadata={"assistance": assistance.pk},
    )
    audit_append(
        actor=actor,
        action="assistance.answer",
        obj=assistance,
        data={"changes": changes, "message": message.pk},
    )
    return message


@transaction.atomic
def assistance_close(*, actor: Any, assistance: AssistanceRequest) -> None:
    """Close an open request without an answer (handled by telephone, a duplicate…): no
    e-mail. Audited old → new."""
    assistance = _locked(assistance)
    changes = field_changes(assistance, {"status": Status.CLOSED})
    assistance.status = Status.CLOSED
    assistance.closed_at, assistance.closed_by = timezone.now(), actor
    assistance.save(update_fields=["status", "closed_at", "closed_by"])
    audit_append(actor=actor, action="assistance.close", obj=assistance, data={"changes": changes})


def _referenced(message: OutboxMessage, kind: str) -> int:
    pk = message.metadata.get(kind)
    if not isinstance(pk, int) or isinstance(pk, bool):
        raise ValueError(f"message {message.pk}: no {kind} in its metadata")
    return pk


def _portal(name: str) -> str:
    return settings.URNE_PUBLIC_URL.rstrip("/") + reverse(name)


def compose_assistance_answer(message: OutboxMessage) -> Email:
    assistance = AssistanceRequest.objects.select_related("election").get(
        pk=_referenced(message, "assistance")
    )
    return email_render(
        base="portal/email/assistance_answer",
        to=assistance.email,
        language=message.language,
        from_name=assistance.election.name,
        context={"request": assistance, "assistance": _portal("portal:assistance")},
    )


def compose_complaint_decision(message: OutboxMessage) -> Email:
    complaint = Complaint.objects.select_related("election", "voter", "scrutin__body").get(
        pk=_referenced(message, "complaint")
    )
    if complaint.voter is None:
        raise ValueError(f"message {message.pk}: the complaint has no voter")
    return email_render(
        base="portal/email/complaint_decision",
        to=complaint.voter.email,
        language=message.language,
        from_name=complaint.election.name,
        context={
            "complaint": complaint,
            "accepted": complaint.status == Complaint.Status.ACCEPTED,
            "portal": _portal("portal:complaint"),
        },
    )
