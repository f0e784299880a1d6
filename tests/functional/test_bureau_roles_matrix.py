"""Every bureau page for the bureau's roles the access matrix does not name (issue 13): the
secretary sees each page as the president does (``test_access_matrix``'s "bureau" column),
and acts on none of the key holders' actions; a member removed by the manager (ADR 0703) no
longer reaches any of them."""

import pytest
from django.test import Client
from django.urls import reverse
from test_access_matrix import TABLE, To

from factories.bureau import member_make
from factories.elections import staff_login
from factories.workflows import workflow_world_make
from urne.bureau.members import member_remove

pytestmark = pytest.mark.django_db(databases="__all__")

#: The bureau's own pages (the manager's members page and the invitation's are not).
PAGES = [
    name
    for name in TABLE
    if name.startswith("bureau:")
    and name not in {"bureau:members_manage", "bureau:invitation", "bureau:invitation_password"}
]


def _status(response):
    return response.status_code


def test_the_secretary_sees_what_the_president_sees_and_a_removed_member_nothing():
    w = workflow_world_make()
    w.union = w.candidate_list.unions.first()
    member_make(w.election, "president")
    member_make(w.election, "delegate", union=w.union)
    secretary = member_make(w.election, "secretary")
    leaving = member_make(w.election, "delegate")
    client, gone = Client(), Client()
    staff_login(client, secretary.user)
    staff_login(gone, leaving.user)
    assert gone.get(reverse("bureau:home", args=[w.election.pk])).status_code == 200
    member_remove(actor="manager", member=leaving, reason="Départ")
    checked = 0
    for name in PAGES:
        row = TABLE[name]
        url = row.url(w)
        expected = row.get["bureau"]
        assert not isinstance(expected, To)
        assert _status(client.get(url)) == expected, name
        # The removed member's session has ended: the back office's login, never the page.
        response = gone.get(url)
        assert response.status_code == 302 and "/backoffice/login" in response["Location"], name
        checked += 1
    assert checked >= 15
    # The key holders' acts are refused to the secretary.
    cancel = client.post(reverse("bureau:ceremony_cancel", args=[w.election.pk]))
    assert cancel.status_code == 403
    start = client.post(
        reverse("bureau:ceremony", args=[w.election.pk]), {"action": "start", "threshold": "2"}
    )
    assert start.status_code == 400
