"""Every page of a bureau answers that election's bureau only (ADR 0702): a member of
another election's bureau, with the same role and group, gets a 403 on its control,
participation, émargement list and seal pages; a member of this election's gets them."""

import pytest
from django.test import Client
from django.urls import reverse

from factories.bureau import member_make
from factories.elections import election_open_make, scrutin_make, staff_login

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])


def _pages(election, scrutin):
    return [
        reverse("bureau:control", args=[election.pk]),
        reverse("bureau:participation", args=[election.pk]),
        reverse("bureau:participation_scrutin", args=[scrutin.pk]),
        reverse("bureau:emargements_csv", args=[scrutin.pk]),
        reverse("bureau:seal", args=[election.pk]),
    ]


@pytest.mark.parametrize("role", ["president", "delegate"])
def test_a_member_of_another_bureau_sees_none_of_its_pages(role):
    election, other = election_open_make(), election_open_make()
    scrutin = scrutin_make(election, "CTM")
    mine, theirs = member_make(election, role), member_make(other, role)
    own, stranger = Client(), Client()
    staff_login(own, mine.user)
    staff_login(stranger, theirs.user)
    for url in _pages(election, scrutin):
        assert own.get(url).status_code == 200, url
        assert stranger.get(url).status_code == 403, url
