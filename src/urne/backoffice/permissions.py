"""Permissions and visibility: every staff permission under one name, and every "may this
user see that now" answered here, for the back office, the authority's, messaging's and the
helpdesk's pages, the bureau's and the public board.

It lives in the back office because the back office declares the permissions
(``models.Backoffice``) and grants them to the roles (``roles.py``); every question here is
asked of a staff role or of the public (an anonymous user has no permission), and a new
visibility rule (the bureau's participation, receipts hidden until the close: ADR 0531) is
one more function or one more line here, not a test in a view. Which role gets what at
every URL is tabled in tests/functional/test_access_matrix.py (ADR 0560).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from urne.elections.calendar import vote_over

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, PermissionsMixin
    from django.db.models import QuerySet

    from urne.elections.models import Election, Scrutin
    from urne.messaging.models import OutboxMessage

    User = PermissionsMixin | AnonymousUser

#: See an election's configuration (managers, auditors).
VIEW_ELECTION = "backoffice.view_election"
#: Change it: voters, rules, rolls, lists, complaints, codes, campaigns (managers).
MANAGE_ELECTION = "backoffice.manage_election"
#: Find a voter and see their state, act on their account and codes (helpdesk, managers).
FIND_VOTER = "backoffice.find_voter"
#: Read the audit log (managers, auditors).
VIEW_AUDIT = "backoffice.view_audit"
#: The polling station's pages (bureau members, union delegates).
BUREAU_PAGES = "backoffice.bureau_pages"
#: Open the Django admin, its plain records (the administrator; ADR 0160).
ADMINISTER = "backoffice.administer"


def staff_required(perm: str) -> Callable[[Any], Any]:
    """View decorator: anonymous users go to the login page; staff without ``perm`` get a
    403."""

    def decorator(view: Any) -> Any:
        return login_required(permission_required(perm, raise_exception=True)(view))

    return decorator


def permission_require(request: HttpRequest, perm: str) -> None:
    """Raise PermissionDenied (a 403) unless the request's user has ``perm``: for a page that
    one permission shows and another changes."""
    if not request.user.has_perm(perm):
        raise PermissionDenied


def bureau_pages_allowed(*, user: User, election: Election | None) -> bool:
    """Whether ``user`` may see the pages of ``election``'s bureau (its home, members,
    journal, key ceremony, archive, participation, count): a member of that election's bureau
    (``urne.bureau.models.Member``, bound to the account when they accept their invitation)
    whose account holds ``BUREAU_PAGES``, or a superuser. A member of another election's
    bureau, or a bureau account that is no member, gets nothing (ADR 0702)."""
    if election is None or not user.has_perm(BUREAU_PAGES):
        return False
    if getattr(user, "is_superuser", False):
        return True
    from urne.bureau.selectors import bureau_member

    return bureau_member(user, election) is not None


def bureau_pages_require(request: HttpRequest, election: Election) -> None:
    """Raise PermissionDenied (a 403) unless ``bureau_pages_allowed``: for a view already
    behind ``staff_required(BUREAU_PAGES)`` that knows its election."""
    if not bureau_pages_allowed(user=request.user, election=election):
        raise PermissionDenied


def admin_allowed(user: User) -> bool:
    """Whether ``user`` may open the Django admin (ADRs 0560, 0160): an active staff account
    that is a superuser or holds ``ADMINISTER`` (the administrator). Never the manager, whose
    own pages now do what the admin did (the election and its calendar, candidate lists,
    assistance requests, complaints) with the legal checks and a field-level audit the admin
    has not; never the auditor, the helpdesk, the bureau or a delegate: the admin shows whole
    records (a voter's birth date, e-mail, NUMEN) that their own pages show in part or not
    at all."""
    if not (getattr(user, "is_active", False) and getattr(user, "is_staff", False)):
        return False
    return bool(getattr(user, "is_superuser", False)) or user.has_perm(ADMINISTER)


#: Messages whose mere existence tells that the voter voted (the booth's cast receipt).
PARTICIPATION_TEMPLATES = frozenset({"cast_receipt"})


def voter_messages_visible(
    *,
    user: User,
    messages: QuerySet[OutboxMessage],
    election: Election,
    now: datetime | None = None,
) -> QuerySet[OutboxMessage]:
    """The part of a voter's ``messages`` (of ``election``) that ``user`` may see (states
    and dates, never a body): none for whoever may not find a voter; for the others, all but
    the messages that tell the voter voted (``PARTICIPATION_TEMPLATES``: a receipt, or its
    time, is the émargement) while ``voter_participation_visible`` is False."""
    if not user.has_perm(FIND_VOTER):
        return messages.none()
    if voter_participation_visible(user=user, election=election, now=now):
        return messages
    return messages.exclude(template__in=PARTICIPATION_TEMPLATES)


def voter_participation_visible(
    *, user: User, election: Election, now: datetime | None = None
) -> bool:
    """Whether ``user`` may see whether a voter of ``election`` has voted (their émargement,
    a receipt sent). During the vote only the polling station may (docs/product.md, "Rules
    the platform enforces"): bureau members and union delegates. Once the vote is over
    (``calendar.vote_over``: past the close and the booth's grace period) so may whoever
    finds voters (helpdesk, managers); nobody else, the public included. The voter sees
    their own in the booth."""
    if bureau_pages_allowed(user=user, election=election):
        return True
    return user.has_perm(FIND_VOTER) and vote_over(election=election, now=now)


def participation_visible(*, user: User, election: Election) -> bool:
    """Whether ``user`` may see the election's live participation (figures per scrutin,
    académie and category, the chart, the émargement list and its export; ADR 0771): the
    polling station only, bureau members and union delegates, during the vote and after it.
    The manager, the helpdesk, the auditor, voters and the public never see these pages;
    after the close the published results give the figures to everyone (ADR 0531). Only that
    election's bureau: ``bureau_pages_allowed``."""
    return bureau_pages_allowed(user=user, election=election)


def board_published(scrutin: Scrutin | None, now: datetime | None = None) -> bool:
    """Whether the scrutin's list of trackers and archive are public (ADR 0324): after the
    election's vote end and the grace period of the voters already in the booth (no ballot
    can come in any more). A scrutin unknown to the voter store is never published."""
    return scrutin is not None and vote_over(election=scrutin.election, now=now)


def archive_visible(*, user: User, scrutin: Scrutin | None, now: datetime | None = None) -> bool:
    """Whether ``user`` may download the scrutin's ``.bel`` archive now: the polling station
    of its election (``bureau_pages_allowed``) at any time, from its own audited page;
    everyone else once the board is published (the public board asks ``board_published``:
    its downloads are not audited, so nobody fetches a secret archive there)."""
    if scrutin is not None and bureau_pages_allowed(user=user, election=scrutin.election):
        return True
    return board_published(scrutin, now)
