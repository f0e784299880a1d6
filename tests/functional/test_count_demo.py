"""``make demo-count`` on a small demo: ballots through the cast service, the vote closed, the
count opened, the demo holders' files made by ``urne-trustee decrypt-bureau`` with the keys of
``var/demo-trustees/``, every scrutin proclaimed, votes = émargements everywhere."""

import pytest
from django.test import Client

from urne.authority.demo import authority_demo
from urne.booth.models import Emargement
from urne.count.demo import demo_count
from urne.count.models import ScrutinCount
from urne.elections.demo import demo_election_create

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])


def test_the_demo_counts_to_its_end(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    election = demo_election_create(voters=40).election
    authority_demo(election=election, log=lambda _m: None)
    lines = demo_count(ballots=30, log=lambda _m: None)
    counts = ScrutinCount.objects.filter(scrutin__election=election)
    assert counts.exists()
    assert set(counts.values_list("state", flat=True)) == {"proclaimed"}
    assert lines[-1] == f"{counts.count()} of {counts.count()} scrutins proclaimed."
    voted = Emargement.objects.filter(scrutin__election=election, state="voted").count()
    assert voted >= 30
    assert sum(sum(c.counts) for c in counts) == voted
    # What a newcomer then sees: the results with their charts, and the PVs.
    client = Client()
    index = client.get("/resultats/").content.decode()
    assert index.count("<svg") >= 2 and "Représentativité nationale" in index
    one = counts.first().scrutin.uuid
    assert "<svg" in client.get(f"/en/resultats/{one}/").content.decode()
    for url in (f"/resultats/{one}/proces-verbal.pdf", "/resultats/proces-verbal-national.pdf"):
        pdf = client.get(url)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # Run again: nothing more is cast, counted or proclaimed.
    demo_count(ballots=30, log=lambda _m: None)
    assert Emargement.objects.filter(scrutin__election=election).count() == voted
