"""The home of permissions and visibility (urne.backoffice.permissions): every role (and a
staff member with no role, and the public) against every question: each permission, a
voter's messages, a voter's participation, the public board, the scrutin's archive now; and
the two checks the views use."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from factories.bureau import member_make
from factories.elections import election_make, scrutin_make, staff_make, voter_make
from urne.backoffice import permissions as p
from urne.backoffice.models import Backoffice
from urne.backoffice.roles import ROLES
from urne.messaging.models import OutboxMessage

pytestmark = pytest.mark.django_db

WHO = ["manager", "helpdesk", "bureau", "delegate", "auditor", "administrator", "no_role", "public"]
PERMISSIONS = {
    p.VIEW_ELECTION: {"manager", "auditor"},
    p.MANAGE_ELECTION: {"manager"},
    p.FIND_VOTER: {"manager", "helpdesk"},
    p.VIEW_AUDIT: {"manager", "auditor"},
    p.BUREAU_PAGES: {"bureau", "delegate"},
    p.ADMINISTER: {"administrator"},
}


@pytest.mark.parametrize("who", WHO)
def test_the_admin_is_the_administrators(who):
    """ADR 0160: the Django admin for the administrator (and superusers) only."""
    assert p.admin_allowed(_user(who)) is (who == "administrator")


def _user(who: str, election=None):
    """The role's account; a bureau or delegate account is a member of ``election``'s bureau
    when one is given (``permissions.bureau_pages_allowed`` asks that)."""
    if who == "public":
        return AnonymousUser()
    user = staff_make(None if who == "no_role" else who)
    if election is not None and who in ("bureau", "delegate"):
        member_make(election, "president" if who == "bureau" else "delegate", user=user)
    return user


def test_every_permission_under_one_name_and_every_role_covered():
    assert set(WHO) - {"no_role", "public"} == set(ROLES)
    backoffice = {perm for role in ROLES.values() for perm in role["perms"]}
    assert {x for x in backoffice if x.startswith("backoffice.")} == set(PERMISSIONS)
    declared = {f"backoffice.{codename}" for codename, _ in Backoffice._meta.permissions}
    assert declared == set(PERMISSIONS)


@pytest.mark.parametrize("who", WHO)
def test_each_permission(who):
    user = _user(who)
    for perm, holders in PERMISSIONS.items():
        assert user.has_perm(perm) is (who in holders), (who, perm)


@pytest.mark.parametrize("who", WHO)
def test_a_voters_messages(who, scrutin):
    voter = voter_make(scrutin.election)
    for template in ("accounts.opening", "cast_receipt"):
        OutboxMessage.objects.create(voter=voter, template=template)
    user = _user(who)
    for moment, now in _moments(scrutin).items():
        seen = p.voter_messages_visible(
            user=user, messages=OutboxMessage.objects.all(), election=scrutin.election, now=now
        )
        if who not in ("manager", "helpdesk"):
            assert list(seen) == [], (who, moment)
        elif moment == "after":
            assert sorted(m.template for m in seen) == ["accounts.opening", "cast_receipt"]
        else:  # the receipt tells that the voter voted: hidden until the vote is over
            assert [m.template for m in seen] == ["accounts.opening"], (who, moment)


@pytest.mark.parametrize("who", WHO)
def test_a_voters_participation(who, scrutin):
    user, election = _user(who, scrutin.election), scrutin.election
    got = {
        k: p.voter_participation_visible(user=user, election=election, now=t)
        for k, t in _moments(scrutin).items()
    }
    bureau = who in ("bureau", "delegate")
    after = bureau or who in ("manager", "helpdesk")
    assert got == {"during": bureau, "grace": bureau, "after": after}


@pytest.mark.parametrize("who", WHO)
def test_the_bureaus_participation_pages(who, scrutin):
    """ADR 0771: the bureau and the delegates only (of that election's bureau: ADR 0702),
    during the vote and after it."""
    user = _user(who, scrutin.election)
    visible = p.participation_visible(user=user, election=scrutin.election)
    assert visible is (who in ("bureau", "delegate"))


@pytest.fixture
def scrutin(settings):
    settings.URNE_CAST_GRACE_SECONDS = 1800
    election = election_make()
    now = timezone.now()
    election.vote_opens, election.vote_closes = now - timedelta(days=7), now + timedelta(hours=1)
    election.save()
    return scrutin_make(election, "CTM")


def _moments(scrutin):
    closes = scrutin.election.vote_closes
    return {
        "during": closes - timedelta(minutes=1),
        "grace": closes + timedelta(minutes=29),
        "after": closes + timedelta(minutes=30),
    }


def test_the_public_board():
    assert p.board_published(None) is False  # a scrutin unknown to the voter store


def test_the_public_board_after_the_close_and_the_grace(scrutin):
    got = {k: p.board_published(scrutin, t) for k, t in _moments(scrutin).items()}
    assert got == {"during": False, "grace": False, "after": True}
    scrutin.election.vote_closes = None
    assert p.board_published(scrutin) is False


@pytest.mark.parametrize("who", WHO)
def test_the_scrutins_archive_now(who, scrutin):
    user = _user(who, scrutin.election)
    bureau = who in ("bureau", "delegate")
    for moment, now in _moments(scrutin).items():
        visible = p.archive_visible(user=user, scrutin=scrutin, now=now)
        assert visible is (bureau or moment == "after"), (who, moment)
    assert p.archive_visible(user=user, scrutin=None) is False


def test_the_bureaus_pages_are_its_own_members_only(scrutin):
    """``bureau_pages_allowed``: a member of this election's bureau (any role, whose account
    has the bureau's pages) or a superuser; not another election's member, not a bureau
    account that is nobody's member, no other staff, not the public."""
    election, other = scrutin.election, election_make(name="Autre")
    for role in ("president", "secretary", "delegate"):
        assert p.bureau_pages_allowed(user=member_make(election, role).user, election=election)
    elsewhere = member_make(other, "president").user
    assert p.bureau_pages_allowed(user=elsewhere, election=other)
    assert not p.bureau_pages_allowed(user=elsewhere, election=election)
    for who in WHO:
        assert not p.bureau_pages_allowed(user=_user(who), election=election), who
    root = staff_make(None)
    root.is_superuser = True
    root.save()
    assert p.bureau_pages_allowed(user=root, election=election)
    assert not p.bureau_pages_allowed(user=root, election=None)


@pytest.mark.parametrize("who", WHO)
def test_the_checks_the_views_use(who):
    user = _user(who)
    request = RequestFactory().get("/backoffice/")
    request.user = user

    @p.staff_required(p.FIND_VOTER)
    def page(request):
        return HttpResponse("ok")

    if who == "public":
        response = page(request)
        assert response.status_code == 302 and "login" in response["Location"]
    elif who in PERMISSIONS[p.FIND_VOTER]:
        assert page(request).status_code == 200
    else:
        with pytest.raises(PermissionDenied):
            page(request)
    if who in PERMISSIONS[p.MANAGE_ELECTION]:
        p.permission_require(request, p.MANAGE_ELECTION)
    else:
        with pytest.raises(PermissionDenied):
            p.permission_require(request, p.MANAGE_ELECTION)
