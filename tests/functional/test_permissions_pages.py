"""Every back-office URL, fetched by every role (and anonymously): who may see what."""

import pytest
from django.urls import get_resolver, reverse

from factories.elections import staff_login, staff_make
from factories.workflows import workflow_world_make

ROLES = ["manager", "helpdesk", "bureau", "delegate", "auditor", "administrator", None]
ALL = set(ROLES) - {None}
READERS = {"manager", "auditor"}


def _urls(w):
    return {
        "home": (reverse("backoffice:home"), ALL),
        "election": (reverse("backoffice:election", args=[w.election.pk]), READERS),
        "election_edit": (reverse("backoffice:election_edit", args=[w.election.pk]), {"manager"}),
        "import": (reverse("backoffice:import", args=[w.election.pk]), {"manager"}),
        "import_progress": (reverse("backoffice:import_progress", args=[w.job.pk]), {"manager"}),
        "import_errors": (reverse("backoffice:import_errors", args=[w.job.pk]), {"manager"}),
        "rules": (reverse("backoffice:rules", args=[w.election.pk]), READERS),
        "rolls": (reverse("backoffice:rolls", args=[w.election.pk]), READERS),
        "roll": (reverse("backoffice:roll", args=[w.scrutin.pk]), READERS),
        "list_checks": (reverse("backoffice:list_checks", args=[w.election.pk]), READERS),
        "candidate_list": (
            reverse("backoffice:candidate_list", args=[w.candidate_list.pk]),
            READERS,
        ),
        "unions": (reverse("backoffice:unions", args=[w.election.pk]), READERS),
        "list_add": (reverse("backoffice:list_add", args=[w.election.pk]), {"manager"}),
        "list_edit": (reverse("backoffice:list_edit", args=[w.candidate_list.pk]), {"manager"}),
        "profession_de_foi": (
            reverse("backoffice:profession_de_foi", args=[w.candidate_list.pk]),
            READERS,
        ),
        "complaints": (reverse("backoffice:complaints", args=[w.election.pk]), READERS),
        "complaint": (reverse("backoffice:complaint", args=[w.complaint.pk]), READERS),
        "voter_find": (
            reverse("backoffice:voter_find", args=[w.election.pk]) + "?q=NOM",
            {"manager", "helpdesk"},
        ),
        "voter": (reverse("backoffice:voter", args=[w.voter.pk]), {"manager", "helpdesk"}),
        "audit": (reverse("backoffice:audit") + "?check=1", READERS),
        # The admin is the administrator's only (ADRs 0560, 0160; every admin URL:
        # test_access_matrix.py).
        "admin_voters": (reverse("admin:elections_voter_changelist"), {"administrator"}),
        "admin_voter": (
            reverse("admin:elections_voter_change", args=[w.voter.pk]),
            {"administrator"},
        ),
        "admin_add_body": (reverse("admin:elections_body_add"), {"administrator"}),
        "admin_audit": (reverse("admin:audit_auditevent_changelist"), {"administrator"}),
    }


def _backoffice_names() -> set[str]:
    resolver = get_resolver().namespace_dict["backoffice"][1]
    return {n for n in resolver.reverse_dict if isinstance(n, str)} - {
        "login",
        "otp",
        "otp_enrol",
        "logout",
        "scrutins_create",  # POST only: test_only_managers_write and the access matrix
    }


@pytest.mark.django_db(databases=["default", "authority"])
@pytest.mark.parametrize("role", ROLES)
def test_every_url_with_every_role(client, role):
    w = workflow_world_make()
    urls = _urls(w)
    assert _backoffice_names() <= set(urls)  # the walk covers every back-office page
    if role:
        staff_login(client, staff_make(role))
    for name, (url, allowed) in urls.items():
        response = client.get(url)
        if response.streaming:
            # Read to its end, the client then closes it and its file (closing it here would
            # also close PostgreSQL's connection, outside the test client's guard).
            b"".join(response.streaming_content)
        if role is None:
            assert response.status_code == 302, name
            assert "login" in response["Location"], name
        elif role in allowed:
            assert response.status_code == 200, (name, role)
        else:
            # The admin, like every staff page, answers 403 to staff it refuses (ADR 0560).
            assert response.status_code == 403, (name, role, response.status_code)


@pytest.mark.django_db(databases=["default", "authority"])
@pytest.mark.parametrize("role", ["helpdesk", "auditor", "bureau", "delegate"])
def test_only_managers_write(client, role):
    w = workflow_world_make()
    staff_login(client, staff_make(role))
    posts = [
        reverse("backoffice:rules", args=[w.election.pk]),
        reverse("backoffice:rolls", args=[w.election.pk]),
        reverse("backoffice:roll", args=[w.scrutin.pk]),
        reverse("backoffice:candidate_list", args=[w.candidate_list.pk]),
        reverse("backoffice:complaint", args=[w.complaint.pk]),
        reverse("backoffice:import", args=[w.election.pk]),
        reverse("backoffice:scrutins_create", args=[w.election.pk]),
        reverse("backoffice:unions", args=[w.election.pk]),
        reverse("backoffice:list_add", args=[w.election.pk]),
        reverse("backoffice:list_edit", args=[w.candidate_list.pk]),
    ]
    for url in posts:
        assert client.post(url, {"action": "save"}).status_code == 403, url


@pytest.mark.django_db(databases=["default", "authority"])
def test_helpdesk_never_sees_a_secret_field(client):
    w = workflow_world_make()
    staff_login(client, staff_make("helpdesk"))
    page = client.get(reverse("backoffice:voter", args=[w.voter.pk])).content.decode()
    assert w.voter.numen in page and "CTA Lyon" in page
    for word in ("password", "mot de passe", "credential", "code de vote"):
        assert word not in page.lower()


@pytest.mark.django_db(databases=["default", "authority"])
def test_login_page_and_login(client):
    staff_make("manager", username="marie")
    assert client.get(reverse("backoffice:login")).status_code == 200
    response = client.post(reverse("backoffice:login"), {"username": "marie", "password": "x"})
    # A manager's password opens the second step (test_staff_login.py), not the back office.
    assert response.status_code == 302 and response["Location"] == reverse("backoffice:otp_enrol")
    bad = client.post(reverse("backoffice:login"), {"username": "marie", "password": "y"})
    assert bad.status_code == 200


@pytest.mark.django_db(databases=["default", "authority"])
def test_french_by_default_english_on_request(client):
    assert "Connexion au back office" in client.get("/backoffice/login/").content.decode()
    page = client.get("/en/backoffice/login/").content.decode()
    assert "Back office login" in page and 'lang="en"' in page
