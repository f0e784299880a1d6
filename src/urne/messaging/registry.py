"""Message templates: a name → a composer that builds the e-mail at send time.

Apps register their templates in `AppConfig.ready()`; a composer may issue secrets (a link
token) that exist only in the e-mail it returns.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.utils import translation

from .channels import Email

if TYPE_CHECKING:
    from urne.elections.models import Voter

    from .models import OutboxMessage, SmsMessage

Composer = Callable[["OutboxMessage"], Email]
Preparer = Callable[[list[int]], None]
_COMPOSERS: dict[str, Composer] = {}
_PREPARERS: dict[str, Preparer] = {}
_NO_CAMPAIGN: set[str] = set()


def template_register(
    name: str, composer: Composer, prepare: Preparer | None = None, *, campaign: bool = True
) -> None:
    """Register a template's composer, and optionally a `prepare(voter_ids)` hook a campaign
    calls once per batch (inside the batch's transaction) to create what the composer needs
    in bulk. ``campaign=False``: a template no campaign may send (its rows carry metadata a
    campaign does not write: the cast receipt's scrutin)."""
    _COMPOSERS[name] = composer
    if not campaign:
        _NO_CAMPAIGN.add(name)
    if prepare is not None:
        _PREPARERS[name] = prepare


def preparer_get(name: str) -> Preparer | None:
    return _PREPARERS.get(name)


def composer_get(name: str) -> Composer:
    return _COMPOSERS[name]


def template_names() -> list[str]:
    return sorted(_COMPOSERS)


def campaign_template_names() -> list[str]:
    """The templates a manager may send to every voter of an election."""
    return sorted(set(_COMPOSERS) - _NO_CAMPAIGN)


def message_voter(message: "OutboxMessage") -> "Voter":
    """The voter a voter's template is for (only a message to an address that is no known
    voter's, an assistance request's, has none): a row without one is a composer error."""
    if message.voter is None:
        raise ValueError(f"message {message.pk}: no voter")
    return message.voter


def email_render(
    *, base: str, to: str, language: str, context: dict[str, object], from_name: str = ""
) -> Email:
    """Render `<base>.subject.txt`, `<base>.txt` and `<base>.html` in `language`."""
    with translation.override(language):
        subject = " ".join(render_to_string(f"{base}.subject.txt", context).split())
        text = render_to_string(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context)
    return Email(to=to, subject=subject, text=text, html=html, from_name=from_name)


# SMS (ADR 0600): a kind → a composer that writes the text at send time from the outbox row
# (its voter, language and metadata), e.g. deriving the vote code it carries. The text must
# fit in one SMS (160 GSM characters, 70 otherwise) and is kept nowhere.
SmsComposer = Callable[["SmsMessage"], str]
_SMS_COMPOSERS: dict[str, SmsComposer] = {}


def sms_kind_register(kind: str, composer: SmsComposer) -> None:
    """Register the composer of an SMS kind (from the owning app's `AppConfig.ready()`)."""
    _SMS_COMPOSERS[kind] = composer


def sms_composer_get(kind: str) -> SmsComposer:
    return _SMS_COMPOSERS[kind]
