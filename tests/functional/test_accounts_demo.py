"""`make demo` prints a voter's login: the account it opens works with the printed password."""

import pytest

from factories.elections import election_make, voter_make
from urne.accounts.services import account_authenticate, account_demo_open

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("style", ["2018", "2022"])
def test_demo_voter_can_log_in_with_the_printed_password(style):
    election = election_make(style=style)
    voter = voter_make(election)
    account, password = account_demo_open(voter=voter)
    assert account.activated_at is not None
    assert password not in account.password  # stored hashed only
    assert account_authenticate(account=account, password=password) == account
