"""The bureau's seal page over HTTP (ADRs 0750, 0752): the president runs and wipes the
rehearsal and computes the fingerprint; each key holder confirms it from their own session;
the PV and the export; a check on demand; a mismatch and the bureau's decision."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from tests.factories.elections import staff_login, staff_make
from tests.factories.seal import seal_world_make

from urne.bureau.models import Rehearsal, Seal, SealCheck
from urne.elections.models import RollEntry
from urne.verify import seal as outside

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])


def _client(user) -> Client:
    client = Client()
    staff_login(client, user)
    return client


def test_the_bureau_rehearses_seals_checks_and_decides(tmp_path: Path) -> None:
    world = seal_world_make(rehearsed=False)
    url = reverse("bureau:seal", args=[world.election.pk])
    president = _client(world.president)
    page = president.get(url)
    assert page.status_code == 200
    assert "Vous êtes connecté comme Président" in page.content.decode()

    assert president.post(url, {"action": "compute"}).status_code == 400  # no rehearsal yet
    assert president.post(url, {"action": "rehearse"}).status_code == 302
    rehearsal = Rehearsal.objects.get(election=world.election)
    assert rehearsal.report["ok"]
    text = president.get(url).content.decode()
    assert "tout concorde" in text
    president.post(url, {"action": "wipe", "rehearsal": str(rehearsal.pk)})
    assert (
        "Les urnes réelles sont vides et leurs archives se vérifient."
        in president.get(url).content.decode()
    )

    # A delegate may not compute; the president does.
    delegate = _client(world.delegates[0])
    assert delegate.post(url, {"action": "compute"}).status_code == 400
    assert president.post(url, {"action": "compute"}).status_code == 302
    seal = Seal.objects.get(election=world.election)
    assert seal.fingerprint in president.get(url).content.decode()
    for client in (president, delegate, _client(world.delegates[1])):
        assert client.post(url, {"action": "confirm", "seal": str(seal.pk)}).status_code == 302
    seal.refresh_from_db()
    assert seal.sealed_at is not None
    # The secretary holds no key: refused.
    secretary = _client(world.secretary)
    assert secretary.post(url, {"action": "confirm", "seal": str(seal.pk)}).status_code == 400

    pv = president.get(reverse("bureau:seal_pv", args=[world.election.pk, seal.pk]))
    assert pv.status_code == 200 and pv.content.startswith(b"%PDF")
    export = president.get(reverse("bureau:seal_export", args=[world.election.pk, seal.pk]))
    assert export.status_code == 200
    path = tmp_path / "seal.zip"
    path.write_bytes(export.content)
    assert outside.export_check(path, expected=seal.fingerprint).ok
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(export.content)).namelist()

    assert president.post(url, {"action": "check"}).status_code == 302
    assert SealCheck.objects.get().ok
    RollEntry.objects.filter(scrutin=world.scrutins[0]).first().delete()
    president.post(url, {"action": "check"})
    check = SealCheck.objects.filter(ok=False).get()
    assert "écart : rolls" in president.get(url).content.decode()
    assert (
        delegate.post(url, {"action": "decide", "check": str(check.pk), "text": "x"}).status_code
        == 400
    )
    president.post(url, {"action": "decide", "check": str(check.pk), "text": "Constaté."})
    check.refresh_from_db()
    assert check.decision.text == "Constaté."


def test_a_staff_member_of_another_bureau_gets_none_of_its_seal_pages() -> None:
    """That election's bureau only (ADR 0702): a delegate who is no member of it gets a 403
    on the page, on every action and on a seal's files."""
    world = seal_world_make()
    outsider = _client(staff_make("delegate"))
    url = reverse("bureau:seal", args=[world.election.pk])
    assert outsider.get(url).status_code == 403
    for action in ("rehearse", "nothing", "confirm"):
        assert outsider.post(url, {"action": action, "seal": "x"}).status_code == 403
    assert outsider.get(reverse("bureau:seal_pv", args=[world.election.pk, 999])).status_code == 404


def test_the_seal_speaks_english_too() -> None:
    """The back office is served in French (its paths carry no language prefix); the seal's
    messages and the page's template have their English (bureau/locale/en)."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from urne.bureau.seal import seal_message

    world = seal_world_make()
    with translation.override("en"):
        assert seal_message("no_rehearsal").startswith("No rehearsal was run")
        html = render_to_string(
            "bureau/seal_page.html",
            {"election": world.election, "seals": [], "checks": [], "rehearsal": None},
        )
    assert "Test vote and seal" in html and "Compute the fingerprint" in html
