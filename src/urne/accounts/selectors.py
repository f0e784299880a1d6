"""Reads for voter accounts."""

from django.http import HttpRequest

from urne.elections.models import Election, Voter

from .models import VoterAccount
from .session import session_account


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
