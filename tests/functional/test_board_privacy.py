"""Participation is secret during the vote (docs/product.md, "Rules the platform enforces";
ADR 0324): the public board offers only the lookup of one tracker (found or not, in this
scrutin); no list, no count, no archive. After the close and the grace period: list, search,
pages and archive."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from factories.booth import ballot_make, cast_setup_make
from urne.backoffice.permissions import board_published
from urne.crypto.ballot import parse_ballot
from urne.urn.services import urn_ballot_append

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])


@pytest.fixture
def voting():
    setup = cast_setup_make(voters=4, lists=3, seed="privacy")
    cs = setup.scrutins[0]
    trackers = []
    for v in setup.voters:
        b = ballot_make(cs, v.pk, 1)
        appended = urn_ballot_append(
            scrutin_uuid=cs.scrutin.uuid, ballot=parse_ballot(b), ballot_text=b
        )
        trackers.append(appended.tracker)
    return cs, trackers


def _close(cs, *, ago: timedelta) -> None:
    election = cs.scrutin.election
    election.vote_closes = timezone.now() - ago
    election.vote_opens = election.vote_closes - timedelta(days=7)
    election.save(update_fields=["vote_opens", "vote_closes"])


def test_during_the_vote_no_list_no_count_no_archive(voting):
    cs, trackers = voting
    url = reverse("urn:board", args=[cs.scrutin.uuid])
    r = Client().get(url)
    assert r.status_code == 200
    html = r.content.decode()
    for t in trackers:
        assert t not in html
    assert "participation est secrète" in html
    assert "archive.bel" not in html and "Page 1" not in html
    assert 'role="search"' in html and 'for="q"' in html
    r = Client().get(reverse("urn:archive", args=[cs.scrutin.uuid]))
    assert r.status_code == 403
    assert "publiée après la clôture" in r.content.decode()
    index = Client().get(reverse("urn:board_index")).content.decode()
    assert cs.scrutin.uuid in index and "vote en cours" in index


def test_page_does_not_change_with_the_number_of_ballots(voting):
    cs, _ = voting
    url = reverse("urn:board", args=[cs.scrutin.uuid])
    before = Client().get(url).content.decode()
    # One more ballot in the urn (the spare credential of a voter): the page is the same.
    voter_id = next(iter(cs.spares))
    b = ballot_make(cs, voter_id, 0, spare=True)
    urn_ballot_append(scrutin_uuid=cs.scrutin.uuid, ballot=parse_ballot(b), ballot_text=b)
    after = Client().get(url).content.decode()
    csrf = re.compile(r'value="[A-Za-z0-9]{64}"')
    assert csrf.sub("", before) == csrf.sub("", after)


def test_lookup_of_one_tracker_found_or_not(voting):
    cs, trackers = voting
    url = reverse("urn:board", args=[cs.scrutin.uuid])
    r = Client().get(url, {"q": trackers[1]})
    html = r.content.decode()
    assert r.status_code == 200
    assert "est dans l'urne du scrutin" in html and cs.scrutin.body.name in html
    assert trackers[0] not in html and trackers[2] not in html
    # A "+" pasted in a URL arrives as a space: still found.
    r = Client().get(url + "?q=" + trackers[1].replace("+", " "))
    assert "est dans l'urne du scrutin" in r.content.decode()
    missing = "A" * 43
    assert "Aucun bulletin de numéro de suivi" in Client().get(url, {"q": missing}).content.decode()


def test_no_prefix_search_during_the_vote(voting):
    cs, trackers = voting
    url = reverse("urn:board", args=[cs.scrutin.uuid])
    for q in (trackers[0][:10], "A", "<script>"):
        r = Client().get(url, {"q": q})
        html = r.content.decode()
        assert r.status_code == 200
        assert 'aria-invalid="true"' in html and "43 caractères" in html
        assert trackers[0] not in html and "<script>" not in html


def test_lookups_are_rate_limited(voting, settings):
    settings.URNE_RATE_LIMITS = {**settings.URNE_RATE_LIMITS, "board_lookup": (2, 60)}
    cs, trackers = voting
    from django.core.cache import cache

    cache.clear()
    url = reverse("urn:board", args=[cs.scrutin.uuid])
    client = Client()
    assert client.get(url, {"q": trackers[0]}).status_code == 200
    assert client.get(url, {"q": trackers[0]}).status_code == 200
    r = client.get(url, {"q": trackers[0]})
    assert r.status_code == 429 and "Trop de vérifications" in r.content.decode()
    cache.clear()


def test_during_the_grace_period_still_secret(voting, settings):
    cs, trackers = voting
    settings.URNE_CAST_GRACE_SECONDS = 1800
    _close(cs, ago=timedelta(minutes=10))
    cs.scrutin.election.refresh_from_db()
    assert not board_published(cs.scrutin)
    html = Client().get(reverse("urn:board", args=[cs.scrutin.uuid])).content.decode()
    assert trackers[0] not in html
    r = Client().get(reverse("urn:archive", args=[cs.scrutin.uuid]))
    assert r.status_code == 403


def test_after_the_close_list_search_pages_and_archive(voting):
    cs, trackers = voting
    _close(cs, ago=timedelta(days=1))
    url = reverse("urn:board", args=[cs.scrutin.uuid])
    html = Client().get(url).content.decode()
    for t in trackers:
        assert t in html
    assert "Le vote est clos" in html and reverse("urn:archive", args=[cs.scrutin.uuid]) in html
    # Search by prefix is allowed now.
    html = Client().get(url, {"q": trackers[2][:12]}).content.decode()
    assert trackers[2] in html
    r = Client().get(reverse("urn:archive", args=[cs.scrutin.uuid]))
    assert r.status_code == 200 and r["Content-Type"] == "application/x-tar"
    index = Client().get(reverse("urn:board_index")).content.decode()
    assert "liste des bulletins et archive" in index


def test_english_lookup(voting):
    cs, _ = voting
    r = Client().get("/en" + reverse("urn:board", args=[cs.scrutin.uuid]))
    assert r.status_code == 200
    assert "participation is secret" in r.content.decode()


def test_the_receipt_page_links_to_the_lookup_which_finds_the_ballot():
    from factories.accounts import voter_client_login
    from urne.booth.services import cast_submit

    setup = cast_setup_make(voters=1, lists=3, seed="receipt-link")
    cs, voter = setup.scrutins[0], setup.voters[0]
    receipt = cast_submit(
        voter_id=voter.pk, scrutin_uuid=cs.scrutin.uuid, ballot=ballot_make(cs, voter.pk, 2)
    )
    client = Client()
    voter_client_login(client, voter)
    r = client.get(reverse("booth:receipt", args=[cs.scrutin.uuid]), {"suivi": receipt.tracker})
    assert r.status_code == 200
    link = re.search(r'href="(/bulletins/[^"]+\?q=[^"]+)"', r.content.decode())
    assert link, "no link to the board's lookup"
    html = Client().get(link.group(1).replace("&amp;", "&")).content.decode()
    assert f"Le bulletin de numéro de suivi {receipt.tracker} est dans l'urne" in html


def test_a_tracker_starting_or_ending_with_plus_arrives_whole():
    from urne.urn.views import tracker_query

    tracker = "+" + "A" * 41 + "+"
    assert tracker_query(tracker.replace("+", " ")) == tracker  # "+" became spaces in a URL
    assert tracker_query("  " + "B" * 43 + " \n") == "B" * 43  # spaces around a paste
