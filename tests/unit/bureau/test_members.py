"""The members' service (ADR 0700): the state of a member's access through its invitations,
the order the pages list them in, and what an invitation's token leaves in the database."""

from datetime import timedelta

import pytest
from django.utils import timezone

from factories.accounts import mail_clear, mail_outbox
from factories.bureau import member_make
from factories.elections import election_make, staff_make
from urne.accounts.tokens import token_digest
from urne.bureau.members import (
    INVITATION_LIFETIME,
    MemberError,
    invitation_accept,
    invitation_open,
    member_access_reset,
    member_invite,
    member_state,
    members_overview,
)
from urne.bureau.models import Invitation

pytestmark = pytest.mark.django_db

PASSWORD = "Un mot de passe du bureau 2026"  # noqa: S105 - a test member's password


def _token(member, now=None):
    mail_clear()
    sent = member_invite(actor=staff_make("manager"), member=member, now=now)
    assert sent.delivered
    member.refresh_from_db()
    (mail,) = mail_outbox()
    return mail.text.split("/backoffice/bureau/invitation/#", 1)[1].split()[0]


def test_a_members_access_goes_from_invited_to_made_and_back_on_reset():
    election = election_make()
    member = member_make(election, "secretary", joined=False)
    assert member_state(member) == "not_invited"
    now = timezone.now()
    token = _token(member, now=now)
    assert member_state(member, now) == "invited"
    assert member_state(member, now + INVITATION_LIFETIME) == "expired"
    assert invitation_open(token=token, now=now + INVITATION_LIFETIME) is None
    assert invitation_open(token=token, now=now + timedelta(hours=1)) is not None
    user = invitation_accept(digest=token_digest(token), password=PASSWORD)
    member.refresh_from_db()
    assert member_state(member) == "joined" and member.user == user
    with pytest.raises(MemberError, match="invitation_invalid"):
        invitation_accept(digest=token_digest(token), password=PASSWORD)
    with pytest.raises(MemberError, match="already_joined"):
        member_invite(actor="m", member=member)
    with pytest.raises(MemberError, match="reason_needed"):
        member_access_reset(actor="m", member=member, reason="  ")
    member_access_reset(actor="m", member=member, reason="départ")
    member.refresh_from_db()
    assert member_state(member) == "invited"
    assert not member.user.has_usable_password()


def test_a_new_invitation_revokes_the_older_and_only_digests_are_kept():
    member = member_make(election_make(), "president", joined=False)
    first, second = _token(member), _token(member)
    rows = list(Invitation.objects.filter(member=member).order_by("pk"))
    assert [r.digest for r in rows] == [token_digest(first), token_digest(second)]
    assert rows[0].revoked_at is not None and rows[1].revoked_at is None
    assert invitation_open(token=first) is None and invitation_open(token=second) is not None
    values = Invitation.objects.values_list()
    assert not any(first in str(v) or second in str(v) for row in values for v in row)


def test_the_pages_list_the_president_then_the_secretary_then_the_delegates():
    election = election_make()
    delegate = member_make(election, "delegate")
    secretary = member_make(election, "secretary")
    president = member_make(election, "president")
    rows = members_overview(president.bureau)
    assert [r["member"] for r in rows] == [president, secretary, delegate]
    assert {r["state"] for r in rows} == {"joined"}
