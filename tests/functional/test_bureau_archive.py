"""During the vote the public board withholds the archive (ADR 0324); the polling station
(bureau members, union delegates) downloads it from the back office, audited."""

import pytest
from django.urls import reverse

from factories.booth import cast_setup_make
from factories.bureau import member_make
from factories.elections import staff_login, staff_make
from urne.audit.models import AuditEvent
from urne.elections.models import Scrutin
from urne.verify.checks import verify_archive

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def scrutin_uuid():
    setup = cast_setup_make(voters=2, lists=2, scrutins=1, seed="bureau-archive")
    return setup.scrutins[0].scrutin.uuid


@pytest.mark.parametrize("role", ["president", "secretary", "delegate"])
def test_the_polling_station_downloads_the_archive_during_the_vote(
    client, scrutin_uuid, role, tmp_path
):
    assert client.get(reverse("urn:archive", args=[scrutin_uuid])).status_code == 403  # public
    election = Scrutin.objects.get(uuid=scrutin_uuid).election
    staff_login(client, member_make(election, role).user)
    response = client.get(reverse("bureau:archive", args=[scrutin_uuid]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    path = tmp_path / f"{scrutin_uuid}.bel"
    path.write_bytes(b"".join(response.streaming_content))
    report = verify_archive(str(path), jobs=1)
    assert report.valid, report.failures
    assert AuditEvent.objects.filter(action="urn.archive_download").count() == 1


@pytest.mark.parametrize("role", ["manager", "helpdesk", "auditor", "bureau", "delegate"])
def test_other_staff_do_not_see_participation_during_the_vote(client, scrutin_uuid, role):
    """Bureau and delegate accounts too, when they are no member of this election's bureau."""
    staff_login(client, staff_make(role))
    response = client.get(reverse("bureau:archive", args=[scrutin_uuid]))
    assert response.status_code == 403


def test_anonymous_is_sent_to_the_login_page(client, scrutin_uuid):
    response = client.get(reverse("bureau:archive", args=[scrutin_uuid]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_unknown_scrutin_is_404(client):
    staff_login(client, staff_make("bureau"))
    response = client.get(reverse("bureau:archive", args=["NoSuchScrutinXYZ"]))
    assert response.status_code == 404
