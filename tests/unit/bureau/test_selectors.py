"""The bureau's reads: which scrutins it covers, who holds a key, which member a login is."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from tests.factories.elections import election_make, scrutin_make, staff_make

from urne.bureau.models import Bureau, Member
from urne.bureau.selectors import bureau_member, bureau_scrutins, key_holders
from urne.elections.models import Union

pytestmark = pytest.mark.django_db


def _bureau() -> Bureau:
    election = election_make()
    for code, perimeter in (("CAPD PE", "69"), ("CAPD PE", "01"), ("CTM", "")):
        scrutin_make(election, code, perimeter)
    return Bureau.objects.create(election=election)


def test_a_bureau_covers_every_scrutin_unless_some_are_chosen() -> None:
    bureau = _bureau()
    every = list(bureau.election.scrutins.order_by("pk"))
    assert list(bureau_scrutins(bureau)) == every
    bureau.scrutins.set(every[1:])
    assert list(bureau_scrutins(bureau)) == every[1:]


def test_the_president_and_the_delegates_hold_keys_not_the_secretary() -> None:
    bureau = _bureau()
    unions = [
        Union.objects.create(election=bureau.election, name=f"Union {n}", acronym=f"U{n}")
        for n in range(2)
    ]
    delegate = Member.objects.create(
        bureau=bureau, role=Member.Role.DELEGATE, union=unions[0], name="D", email="d@x.fr"
    )
    secretary = Member.objects.create(
        bureau=bureau, role=Member.Role.SECRETARY, name="S", email="s@x.fr"
    )
    president = Member.objects.create(
        bureau=bureau, role=Member.Role.PRESIDENT, name="P", email="p@x.fr"
    )
    assert list(key_holders(bureau)) == [president, delegate]
    assert not secretary.holds_key
    with transaction.atomic(), pytest.raises(IntegrityError):
        Member.objects.create(bureau=bureau, role=Member.Role.PRESIDENT, name="P2", email="q@x.fr")
    with transaction.atomic(), pytest.raises(IntegrityError):
        Member.objects.create(
            bureau=bureau, role=Member.Role.DELEGATE, union=unions[0], name="D2", email="e@x.fr"
        )


def test_a_login_is_the_member_of_its_own_bureau_only() -> None:
    bureau, other = _bureau(), _bureau()
    user = staff_make("bureau")
    member = Member.objects.create(
        bureau=bureau, role=Member.Role.PRESIDENT, name="P", email="p@x.fr", user=user
    )
    assert bureau_member(user, bureau.election) == member
    assert bureau_member(user, other.election) is None
    assert bureau_member(AnonymousUser(), bureau.election) is None
