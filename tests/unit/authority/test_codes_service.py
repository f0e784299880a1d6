"""The codes' generation rule in one place (``credentials_generation_check``): the page, the
queued task and the service all refuse with the same message once the urns are set up."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from factories.authority import booth_election_make, listed_election_make
from factories.elections import staff_login, staff_make
from urne.audit.services import audit_append
from urne.authority import selectors, services
from urne.authority.models import CredentialSet

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])

FROZEN = "Les codes sont figés : la liste des électeurs a déjà été transmise à l'urne."


def test_the_queue_generates_after_the_commit(django_capture_on_commit_callbacks):
    election, _, _ = listed_election_make()
    actor = staff_make("manager")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.credentials_generate_queue(election=election, actor=actor, spares=2)
    assert not CredentialSet.objects.filter(election_id=election.pk).exists()
    assert len(callbacks) == 1
    callbacks[0]()  # the commit: the task runs (immediate backend in tests)
    cset = selectors.credential_set(election_id=election.pk)
    assert cset is not None and cset.spares == 2 and cset.voters == 3


@pytest.mark.parametrize("spares", [-1, 11])
def test_spares_out_of_bounds_are_refused_before_queueing(
    spares, django_capture_on_commit_callbacks
):
    election, _, _ = listed_election_make()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError):
        services.credentials_generate_queue(
            election=election, actor=staff_make("manager"), spares=spares
        )
    assert callbacks == []


def test_frozen_once_the_urns_are_set_up_with_one_message(django_capture_on_commit_callbacks):
    election, _, _, _ = booth_election_make()
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(ValidationError) as queued,
    ):
        services.credentials_generate_queue(
            election=election, actor=staff_make("manager"), spares=1
        )
    assert callbacks == []
    with pytest.raises(ValidationError) as direct:
        services.credentials_generate(election=election, actor="tests")
    assert queued.value.messages == direct.value.messages == [FROZEN]


def test_the_page_says_the_services_message(client):
    election, _, _, _ = booth_election_make()
    staff_login(client, staff_make("manager"))
    url = reverse("authority:codes", args=[election.pk])
    page = client.post(url, {"action": "generate", "spares": "1"}, follow=True)
    assert FROZEN in page.content.decode().replace("&#x27;", "'")


def test_notices_downloads_keeps_the_last_download_of_each_batch():
    election, _, _ = listed_election_make()
    for batch, pages in ((1, 10), (2, 5), (1, 11)):
        audit_append(
            actor="tests",
            action="authority.notices_downloaded",
            obj=election,
            data={"batch": batch, "pages": pages},
        )
    downloads = selectors.notices_downloads(election_id=election.pk)
    assert sorted(downloads) == [1, 2]
    assert downloads[1].data["pages"] == 11


def test_a_batch_of_notices_is_made_for_the_caller_and_its_download_audited():
    from urne.audit.models import AuditEvent
    from urne.authority.notices import notices_batch_pdf

    election, _, _, _ = booth_election_make()
    assert notices_batch_pdf(election=election, number=0, actor="tests") is None
    assert notices_batch_pdf(election=election, number=99, actor="tests") is None
    pdf = notices_batch_pdf(election=election, number=1, actor="tests")
    assert pdf is not None and pdf.startswith(b"%PDF")
    (event,) = AuditEvent.objects.filter(action="authority.notices_downloaded")
    assert event.data == {"batch": 1, "pages": 3}
