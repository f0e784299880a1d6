"""The demo's bureau: its ``bureau`` and ``delegate`` accounts are members of the demo
election's bureau, so its pages open for them; running it again changes nothing."""

import pytest

from factories.elections import staff_make
from factories.workflows import workflow_world_make
from urne.backoffice.permissions import bureau_pages_allowed
from urne.bureau.demo import bureau_demo
from urne.bureau.models import Member

pytestmark = pytest.mark.django_db(databases="__all__")


def test_the_demo_accounts_are_the_demo_elections_bureau():
    w = workflow_world_make()
    president, delegate = staff_make("bureau", "bureau"), staff_make("delegate", "delegate")
    members = bureau_demo(election=w.election)
    assert [m.role for m in members] == ["president", "delegate"]
    assert members[1].union.lists.exists()
    for user in (president, delegate):
        assert bureau_pages_allowed(user=user, election=w.election)
    bureau_demo(election=w.election)
    assert Member.objects.count() == 2
