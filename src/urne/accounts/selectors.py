"""Reads for voter accounts."""

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import HttpRequest

from urne.elections.models import Election, Voter

from .models import VoterAccount
from .session import session_account

if TYPE_CHECKING:
    from urne.messaging.models import OutboxMessage


def current_account(request: HttpRequest) -> VoterAccount | None:
    """The logged-in voter's account, or None (absent, expired, or password changed since)."""
    return session_account(request)


def current_voter(request: HttpRequest) -> Voter | None:
    """The logged-in voter, or None. Contract for the portal, booth and urn pages."""
    account = session_account(request)
    return account.voter if account is not None else None


def election_current() -> Election | None:
    """The election the portal serves: the most recently created one (ADR 0200)."""
    return Election.objects.order_by("-id").first()


def account_by_identifier(*, election: Election, email: str) -> VoterAccount | None:
    """The account whose identifier is `email` (case-insensitive) in `election`."""
    return (
        VoterAccount.objects.select_related("voter")
        .filter(election=election, email=email.strip().lower())
        .first()
    )


def account_state(voter: Voter) -> dict[str, object]:
    """What the helpdesk may see of a voter's account: states and dates, the failures on its
    secrets (ADR 0500), never a secret (no password, answer or token)."""
    from .secret_failures import captcha_asked

    account = VoterAccount.objects.filter(voter=voter).first()
    if account is None or (not account.password_changed_at and not account.activated_at):
        status = "none"
    elif account.is_active:
        status = "active"
    else:
        status = "pending"
    return {
        "account": account,
        "account_status": status,
        "account_captcha_asked": captcha_asked(account=account),
        "account_has_question": bool(account and account.challenge_question),
    }


def account_messages(voter: Voter) -> "QuerySet[OutboxMessage]":
    """The voter's messages, newest first (what staff may see of them:
    ``urne.backoffice.permissions.voter_messages_visible``)."""
    from urne.messaging.models import OutboxMessage

    return OutboxMessage.objects.filter(voter=voter).order_by("-pk")
