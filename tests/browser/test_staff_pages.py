"""Every staff page in Chromium, in both themes (``theme``, ADR 0241): a screenshot of each and
axe-core on each (no serious or critical violation), under the site's Content-Security-Policy.

The walk is two lists of URL names: the manager's pages and the bureau's (seen by its
president). Each URL's arguments come from its pattern's parameter names (``election_id``,
``scrutin_id``…), filled from one workflow world: a new staff page joins the walk by its name.
"""

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import get_resolver, reverse
from playwright.sync_api import expect

from factories.bureau import member_make
from factories.elections import staff_login, staff_make
from factories.workflows import workflow_world_make

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

MANAGER_PAGES = [
    "backoffice:home",
    "backoffice:election",
    "backoffice:election_edit",
    "backoffice:import",
    "backoffice:import_progress",
    "backoffice:rules",
    "backoffice:rolls",
    "backoffice:roll",
    "backoffice:list_checks",
    "backoffice:candidate_list",
    "backoffice:complaints",
    "backoffice:complaint",
    "backoffice:voter_find",
    "backoffice:voter",
    "backoffice:audit",
    "authority:codes",
    "authority:replace",
    "messaging:campaigns",
    "bureau:members_manage",
]
BUREAU_PAGES = [
    "bureau:home",
    "bureau:journal",
    "bureau:key_loss",
    "bureau:ceremony",
    "bureau:control",
    "bureau:participation",
    "bureau:participation_scrutin",
    "bureau:seal",
    "count:page",
]


def _ids(w: Any) -> dict[str, int]:
    """The value of each URL parameter the staff pages take, in the world ``w``."""
    return {
        "election_id": w.election.pk,
        "scrutin_id": w.scrutin.pk,
        "list_id": w.candidate_list.pk,
        "complaint_id": w.complaint.pk,
        "voter_id": w.voter.pk,
        "job_id": w.job.pk,
    }


def _url(name: str, ids: dict[str, int]) -> str:
    namespace, _, short = name.rpartition(":")
    resolver = get_resolver().namespace_dict[namespace][1]
    [(_format, params)] = resolver.reverse_dict.getlist(short)[0][0]
    return reverse(name, kwargs={p: ids[p] for p in params})


def _log_in(context: Any, live_server: Any, user: Any) -> None:
    client = Client()
    staff_login(client, user)
    name = settings.SESSION_COOKIE_NAME
    context.add_cookies(
        [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
    )


@pytest.mark.parametrize(
    ("who", "names"),
    [
        pytest.param("manager", MANAGER_PAGES, id="manager"),
        pytest.param("bureau", BUREAU_PAGES, id="bureau"),
    ],
)
def test_every_staff_page(who, names, page, context, live_server, assert_accessible):
    w = workflow_world_make()
    user = staff_make("manager") if who == "manager" else member_make(w.election).user
    _log_in(context, live_server, user)
    ids = _ids(w)
    for name in names:
        response = page.goto(live_server.url + _url(name, ids))
        assert response is not None and response.status == 200, (name, response and response.status)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page, name.replace(":", "-"))
