"""Reads of the messaging app for other apps' pages (ADR 0600)."""

from collections.abc import Mapping

from .models import SmsMessage
from .sms_gateway import gateway_failing


def sms_gateway_delayed() -> bool:
    """Whether SMS are held back now (the gateway down, refusing the bind or throttling us):
    a request page then tells the voter the message will follow, later than usual."""
    return gateway_failing()


def sms_state(message_id: int) -> Mapping[str, object] | None:
    """An SMS's state for the helpdesk or the voter's page: no number, no text."""
    return (
        SmsMessage.objects.filter(pk=message_id)
        .values("kind", "state", "created_at", "submitted_at", "receipt_state", "receipt_at")
        .first()
    )
