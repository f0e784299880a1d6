"""Private files are served only through views that check who asks (issue 12, defect 7):
nothing under MEDIA_ROOT has a public address, even in the demo (DEBUG); professions de foi
go through the portal (the voter's scrutins, from date B) or the back office (staff who may
see the election). The development mailbox: tests/functional/test_messaging_pages.py."""

import importlib

import pytest
from django.urls import clear_url_caches, reverse

from factories.accounts import voter_client_login
from factories.elections import staff_login, staff_make
from factories.portal import portal_world_make

pytestmark = pytest.mark.django_db(databases=["default", "authority"])


@pytest.fixture
def demo_urls(settings, media_root):
    """The URL configuration as the demo (DEBUG, `manage.py runserver`) builds it."""
    import urne.site.urls

    settings.DEBUG = True
    importlib.reload(urne.site.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(urne.site.urls)
    clear_url_caches()


def _media_url(settings, name):
    return f"/{settings.MEDIA_URL.strip('/')}/{name}"


@pytest.mark.parametrize("name", ["demo/voters-2018-20000.csv", "imports/3-a1b2c3.csv"])
def test_nothing_under_media_root_has_a_public_address(client, settings, demo_urls, name):
    stored = settings.MEDIA_ROOT / name
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_text("numen;nom;naissance;email\n12AB34567CDE;MARTIN;01/01/1980;c@ac-lyon.fr\n")
    response = client.get(_media_url(settings, name))
    body = b"".join(getattr(response, "streaming_content", [response.content]))
    response.close()
    assert response.status_code == 404 and b"MARTIN" not in body


def test_profession_de_foi_has_no_public_address_before_date_b(client, settings, demo_urls):
    w = portal_world_make(phase="rolls")
    stored = w.lists[0].profession_de_foi
    assert client.get(_media_url(settings, stored.name)).status_code == 404
    voter_client_login(client, w.voter)
    assert client.get(_media_url(settings, stored.name)).status_code == 404
    pdf = reverse("portal:profession_de_foi", args=[w.scrutins[0].uuid, w.lists[0].pk])
    assert client.get(pdf).status_code == 404


def test_back_office_downloads_a_profession_de_foi_through_a_checked_view(client):
    w = portal_world_make(phase="rolls")
    lst = w.lists[0]
    page_url = reverse("backoffice:candidate_list", args=[lst.pk])
    url = reverse("backoffice:profession_de_foi", args=[lst.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    staff_login(client, staff_make("bureau"))
    assert client.get(url).status_code == 403
    staff_login(client, staff_make("auditor"))
    page = client.get(page_url).text
    assert url in page and "/media/" not in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


@pytest.mark.django_db(databases=["default", "authority", "urn"])
def test_booth_links_each_profession_de_foi_to_the_portal_view(client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from factories.authority import booth_election_make
    from factories.portal import PDF
    from urne.elections.candidate_lists import profession_de_foi_attach

    election, scrutins, voters, _ = booth_election_make()
    election.lists_from = timezone.now() - timezone.timedelta(days=10)
    election.save()
    lst = scrutins[0].lists.order_by("pk").first()
    upload = SimpleUploadedFile("pf.pdf", PDF, content_type="application/pdf")
    profession_de_foi_attach(actor="tests", candidate_list=lst, upload=upload)
    voter_client_login(client, voters[0])
    page = client.get(reverse("booth:entry")).content.decode()
    url = reverse("portal:profession_de_foi", args=[scrutins[0].uuid, lst.pk])
    assert f'"pdf": "{url}"' in page
    assert "/media/" not in page
    response = client.get(url)
    assert response.status_code == 200
    response.close()
