"""The bureau's count page over HTTP: opening, the refused uploads with their message (French
and English), the result and the proclamation; the public result downloads only once
proclaimed; staff without the bureau's pages get a 403."""

import html
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from factories.bureau import bureau_holders, member_make
from factories.count import count_world_make, holder_bundle
from factories.elections import staff_login, staff_make
from urne.count.models import DecryptionUpload, ScrutinCount

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])


def _post(client, url, **data):
    return client.post(url, data)


def _upload(client, url, content, name="decryptions.json"):
    return client.post(url, {"action": "upload", "file": SimpleUploadedFile(name, content)})


def test_the_bureau_counts_and_proclaims_through_its_page(client):
    world = count_world_make(voters=4, lists=2, scrutins=1)
    holders = bureau_holders(world.election, delegates=2)
    url = reverse("count:page", args=[world.election.pk])
    staff_login(client, holders[0])
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "open"}).status_code == 302
    # A wrong file: refused with its sentence, nothing stored.
    page = _upload(client, url, b"not a file of decryptions")
    assert page.status_code == 400
    assert "n'est pas un fichier de déchiffrements partiels" in html.unescape(page.content.decode())
    assert not DecryptionUpload.objects.exists()
    # In English.
    page = client.post(
        "/en" + url, {"action": "upload", "file": SimpleUploadedFile("x.json", b"{}")}
    )
    assert page.status_code == 400 and "nothing is stored" in html.unescape(page.content.decode())
    scrutin = world.scrutin(0)
    json_url = reverse("count:result_json", args=[scrutin.uuid])
    for n, holder in enumerate(holders):
        staff_login(client, holder)
        assert _upload(client, url, holder_bundle(world, n)).status_code == 302
    assert ScrutinCount.objects.get(scrutin=scrutin).state == "result"
    assert client.get(json_url).status_code == 404  # not public before the proclamation
    done = client.post(url, {"action": "proclaim", "scrutin": scrutin.uuid, "seed": "17"})
    assert done.status_code == 302
    client = Client()  # the public
    body = json.loads(client.get(json_url).content)
    assert body["counts"] == ScrutinCount.objects.get(scrutin=scrutin).counts
    assert sum(body["figures"]["seats"].values()) == scrutin.titular_seats
    with translation.override("fr"):  # reverse() follows the language last active
        csv_url = reverse("count:result_csv", args=[scrutin.uuid])
    csv = client.get(csv_url).content.decode("utf-8-sig")
    assert csv.splitlines()[0] == "Liste;Voix;Part des suffrages exprimés (%);Sièges"
    assert len(csv.splitlines()) == 3


def test_staff_without_the_bureau_pages_get_a_403(client):
    world = count_world_make(voters=1, scrutins=1)
    staff_login(client, staff_make("helpdesk"))
    url = reverse("count:page", args=[world.election.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "open"}).status_code == 403
    assert not ScrutinCount.objects.exists()


def test_only_the_election_s_own_bureau_sees_its_count_page(client):
    """``permissions.bureau_pages_allowed``: a bureau account that is no member of this
    election's bureau (another election's president, or nobody's) gets a 403."""
    world = count_world_make(voters=2, lists=2, scrutins=1)
    other = count_world_make(voters=2, lists=2, scrutins=1)
    url = reverse("count:page", args=[world.election.pk])
    for user in (member_make(other.election, "president").user, staff_make("bureau")):
        staff_login(client, user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"action": "open"}).status_code == 403
    staff_login(client, member_make(world.election, "delegate").user)
    assert client.get(url).status_code == 200
