"""The public ballot board after the close: trackers (search, pages), the .bel archive;
public data only, no login. (During the vote: tests/functional/test_board_privacy.py.)"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from factories.booth import ballot_make, cast_setup_make
from urne.crypto.ballot import parse_ballot
from urne.urn import views
from urne.urn.services import urn_ballot_append
from urne.verify.checks import verify_archive

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])


@pytest.fixture
def board():
    setup = cast_setup_make(voters=5, lists=3)
    cs = setup.scrutins[0]
    trackers = []
    for v in setup.voters:
        b = ballot_make(cs, v.pk, 1)
        trackers.append(
            urn_ballot_append(
                scrutin_uuid=cs.scrutin.uuid, ballot=parse_ballot(b), ballot_text=b
            ).tracker
        )
    # The vote is over (close and grace period past): the board is published.
    election = cs.scrutin.election
    election.vote_opens = timezone.now() - timedelta(days=8)
    election.vote_closes = timezone.now() - timedelta(days=1)
    election.save(update_fields=["vote_opens", "vote_closes"])
    return setup, cs, trackers


def test_the_board_lists_every_tracker_without_login(board):
    setup, cs, trackers = board
    r = Client().get(reverse("urn:board", args=[cs.scrutin.uuid]))
    assert r.status_code == 200
    html = r.content.decode()
    for t in trackers:
        assert t in html
    for v in setup.voters:  # nothing about voters
        assert v.last_name not in html and v.email not in html
    index = Client().get(reverse("urn:board_index"))
    assert index.status_code == 200 and cs.scrutin.uuid in index.content.decode()
    from factories.elections import scrutin_make

    not_set_up = scrutin_make(cs.scrutin.election, "CTA", "Paris")
    assert not_set_up.uuid not in Client().get(reverse("urn:board_index")).content.decode()


def test_search_by_tracker_with_plus_signs_and_bad_input(board):
    _, cs, trackers = board
    url = reverse("urn:board", args=[cs.scrutin.uuid])
    r = Client().get(url, {"q": trackers[2]})
    html = r.content.decode()
    assert trackers[2] in html and trackers[0] not in html
    # A "+" pasted in a URL becomes a space: still found.
    r = Client().get(url + "?q=" + trackers[2].replace("+", " "))
    assert trackers[2] in r.content.decode()
    r = Client().get(url, {"q": "<script>"})
    assert r.status_code == 200 and "<script>" not in r.content.decode()
    assert 'aria-invalid="true"' in r.content.decode()
    r = Client().get(url, {"q": "AAAAAAAAAAAAAAAAAAAAAAAAA"})
    assert "Aucun bulletin ne correspond" in r.content.decode()


def test_pages(board, monkeypatch):
    _, cs, trackers = board
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    url = reverse("urn:board", args=[cs.scrutin.uuid])
    seen = []
    for page in ("1", "2", "3"):
        html = Client().get(url, {"page": page}).content.decode()
        seen += [t for t in trackers if t in html]
    assert seen == trackers
    assert Client().get(url, {"page": "x"}).status_code == 200
    assert Client().get(url, {"page": "999"}).status_code == 200


def test_the_archive_downloads_and_verifies(board, tmp_path):
    _, cs, trackers = board
    r = Client().get(reverse("urn:archive", args=[cs.scrutin.uuid]))
    assert r.status_code == 200
    assert r["Content-Disposition"] == f'attachment; filename="{cs.scrutin.uuid}.bel"'
    path = tmp_path / "a.bel"
    path.write_bytes(b"".join(r.streaming_content))
    report = verify_archive(str(path), jobs=1)
    assert report.valid, report.failures
    assert report.ballots == len(trackers) and report.uuid == cs.scrutin.uuid


def test_unknown_scrutin_is_404(db):
    assert Client().get(reverse("urn:board", args=["N" * 14])).status_code == 404
    assert Client().get(reverse("urn:archive", args=["N" * 14])).status_code == 404


def test_english_board(board):
    _, cs, _ = board
    r = Client().get("/en" + reverse("urn:board", args=[cs.scrutin.uuid]))
    assert "Public ballot board" in r.content.decode()
