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


def _browser_data(response):
    """The count page's data for the holder's browser (ADR 0805), from its json_script."""
    text = response.content.decode()
    start = text.index('<script id="count-data" type="application/json">') + len(
        '<script id="count-data" type="application/json">'
    )
    return json.loads(text[start : text.index("</script>", start)])


def test_the_page_gives_the_browser_each_tally_still_to_decrypt(client):
    from urne.crypto.tally import tally_text
    from urne.urn.selectors import urn_count_state

    world = count_world_make(voters=3, lists=2, scrutins=2)
    holders = bureau_holders(world.election, delegates=2)
    url = reverse("count:page", args=[world.election.pk])
    staff_login(client, holders[0])
    assert _browser_data(client.get(url)) == {"scrutins": []}  # the count is not open
    client.post(url, {"action": "open"})
    data = _browser_data(client.get(url))
    uuids = sorted(world.scrutin(i).uuid for i in range(2))
    assert [s["uuid"] for s in data["scrutins"]] == uuids
    for s in data["scrutins"]:
        state = urn_count_state(scrutin_uuid=s["uuid"])
        assert state is not None and s["tally"] == tally_text(state.tally)
        assert s["archive"] == f"/bulletins/{s['uuid']}/archive.bel"
        assert client.get(s["archive"]).status_code == 200  # published once the vote is over
    # A scrutin with its result is no longer offered.
    first = world.scrutin(0).uuid
    for n, holder in enumerate(holders):
        staff_login(client, holder)
        _upload(client, url, holder_bundle(world, n, uuids=[first]))
    assert [s["uuid"] for s in _browser_data(client.get(url))["scrutins"]] == [
        world.scrutin(1).uuid
    ]
