"""The walk of test_permissions_pages, extended to the staff pages that live outside the
``backoffice`` namespace (authority, messaging, helpdesk): every role, and anonymously."""

import pytest
from django.urls import get_resolver, reverse

from factories.elections import staff_login, staff_make
from factories.workflows import workflow_world_make
from urne.portal.models import AssistanceRequest

ROLES = ["manager", "helpdesk", "bureau", "delegate", "auditor", None]
STAFF_NAMESPACES = ("authority", "messaging", "helpdesk")
# POST-only actions and the DEBUG-only mailbox are tested by their own apps' tests.
NOT_GET_PAGES = {
    "helpdesk:voter_account",
    "helpdesk:voter_reserve",
    "messaging:campaign",
    "messaging:campaign_control",
    "messaging:mailbox",
    "authority:notices",
}


def _urls(w):
    request = AssistanceRequest.objects.create(
        election=w.election, name="Camille", email="c@ac-lyon.fr", topic="vote", message="m"
    )
    return {
        "helpdesk:assistance_requests": (
            reverse("helpdesk:assistance_requests", args=[w.election.pk]),
            {"manager", "helpdesk"},
        ),
        "helpdesk:assistance_request": (
            reverse("helpdesk:assistance_request", args=[request.pk]),
            {"manager", "helpdesk"},
        ),
        "authority:codes": (
            reverse("authority:codes", args=[w.election.pk]),
            {"manager", "auditor"},
        ),
        "authority:replace": (
            reverse("authority:replace", args=[w.voter.pk]),
            {"manager", "helpdesk"},
        ),
        "messaging:campaigns": (reverse("messaging:campaigns", args=[w.election.pk]), {"manager"}),
    }


def _names() -> set[str]:
    names = set()
    for ns in STAFF_NAMESPACES:
        resolver = get_resolver().namespace_dict[ns][1]
        names |= {f"{ns}:{n}" for n in resolver.reverse_dict if isinstance(n, str)}
    return names


@pytest.mark.django_db(databases="__all__")
@pytest.mark.parametrize("role", ROLES)
def test_every_staff_url_with_every_role(client, role):
    w = workflow_world_make()
    urls = _urls(w)
    assert _names() <= set(urls) | NOT_GET_PAGES  # a new staff page must join the walk
    if role:
        staff_login(client, staff_make(role))
    for name, (url, allowed) in urls.items():
        response = client.get(url)
        if role is None:
            assert response.status_code == 302, name
            assert "login" in response["Location"], name
        elif role in allowed:
            assert response.status_code == 200, (name, role)
        else:
            assert response.status_code == 403, (name, role, response.status_code)
