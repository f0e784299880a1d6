"""The booth pages: code entry (2022: code + CAPTCHA; 2018: identifier + password), the
authority's confirmation of the derived public credentials (never the code), the errors
(wrong code, another voter's, replaced, window closed), then a cast made as the browser
makes it, and the receipt."""

import html
import json

import pytest
from django.urls import reverse

from factories.accounts import PASSWORD_2018, voter_client_login
from factories.authority import booth_election_make
from urne.authority import codes, services
from urne.ceremony import make_ballot
from urne.crypto.ballot import parse_ballot
from urne.urn.selectors import urn_election, urn_tracker_exists

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


def code_of(cset, voter, index=0):
    return services.code_derive(credential_set=cset, voter_id=voter.pk, index=index)


def publics(code, scrutins):
    return {
        s.uuid: services.public_credential_hex(scrutin_uuid=s.uuid, code=code) for s in scrutins
    }


def confirm(client, body):
    return client.post(
        reverse("booth:code_confirm"), json.dumps(body), content_type="application/json"
    )


def test_entry_page_2022_has_code_field_without_name_and_the_data(client):
    _, scrutins, voters, _ = booth_election_make()
    voter_client_login(client, voters[0])
    r = client.get(reverse("booth:entry"))
    assert r.status_code == 200
    page = html.unescape(r.content.decode())
    assert "Saisie du code de vote" in page
    assert 'id="vote-code"' in page
    assert 'name="vote-code"' not in page and 'name="code"' not in page
    assert "booth/belenios.js" in page and "booth/booth.js" in page
    for s in scrutins:
        assert s.uuid in page
    assert "obtenir un réassort" in page


def test_entry_page_2018_asks_identifier_and_password(client):
    _, _, voters, _ = booth_election_make(style="2018")
    voter_client_login(client, voters[0])
    page = html.unescape(client.get(reverse("booth:entry")).content.decode())
    assert "Espace de vote" in page and "Identifiant électeur" in page
    assert "Mot de passe personnel électeur" in page
    assert "Mot de passe personnel électeur oublié ?" in page  # seed 001


@pytest.mark.parametrize(
    "window,text", [("before", "pas encore ouvert"), ("after", "Le vote est clos")]
)
def test_entry_page_outside_the_window(client, window, text):
    _, _, voters, _ = booth_election_make(window=window)
    voter_client_login(client, voters[0])
    page = html.unescape(client.get(reverse("booth:entry")).content.decode())
    assert text in page
    assert 'id="vote-code"' not in page
    r = confirm(client, {"credentials": {}})
    assert r.json()["code"] == ("not_open" if window == "before" else "closed")


def test_entry_requires_login(client):
    booth_election_make()
    r = client.get(reverse("booth:entry"))
    assert r.status_code in (302, 303)
    assert confirm(client, {"credentials": {}}).status_code == 401


def test_code_confirmed_then_cast_then_receipt(client):
    _, scrutins, voters, cset = booth_election_make()
    voter = voters[0]
    voter_client_login(client, voter)
    code = code_of(cset, voter)
    r = confirm(client, {"credentials": publics(code, scrutins), "captcha": ""})
    assert r.status_code == 200, r.content
    assert sorted(r.json()["confirmed"]) == sorted(s.uuid for s in scrutins)
    # The browser now signs a ballot with the credential derived from the code.
    credential = codes.credential_of_code(code)
    for choice, s in zip((1, 0), scrutins, strict=True):
        election = urn_election(scrutin_uuid=s.uuid)
        vector = [0] * election.questions[0].size
        vector[choice] = 1
        ballot = make_ballot(election, credential, [vector], f"t/{s.uuid}").to_string()
        r = client.post(
            reverse("booth:cast"),
            json.dumps({"scrutin": s.uuid, "ballot": ballot}),
            content_type="application/json",
        )
        assert r.status_code == 200, r.content
        tracker = r.json()["tracker"]
        assert tracker == parse_ballot(ballot).tracker
        assert urn_tracker_exists(scrutin_uuid=s.uuid, tracker=tracker)
        # A vote is final: the same scrutin again is refused.
        again = make_ballot(election, credential, [vector], f"u/{s.uuid}").to_string()
        r2 = client.post(
            reverse("booth:cast"),
            json.dumps({"scrutin": s.uuid, "ballot": again}),
            content_type="application/json",
        )
        assert r2.json()["code"] == "already_voted"
    page = html.unescape(client.get(reverse("booth:entry")).content.decode())
    assert page.count('"state": "voted"') == 2


def test_wrong_code_other_voters_code_and_replaced_code(client):
    _, scrutins, voters, cset = booth_election_make()
    voter, other = voters[0], voters[1]
    voter_client_login(client, voter)
    unknown = codes.code_from_value(12345)
    r = confirm(client, {"credentials": publics(unknown, scrutins)})
    assert r.status_code == 403 and r.json()["code"] == "wrong_code"
    assert "inconnu" in r.json()["message"]
    unknown_answer = r.json()
    # Another voter's code gets the unknown code's answer, word for word (no code oracle).
    r = confirm(client, {"credentials": publics(code_of(cset, other), scrutins)})
    assert r.status_code == 403
    assert {k: v for k, v in r.json().items() if not k.startswith("captcha")} == {
        k: v for k, v in unknown_answer.items() if not k.startswith("captcha")
    }
    services.credentials_replace(voter=voter, actor="tests", reason="perdu")
    r = confirm(client, {"credentials": publics(code_of(cset, voter, 0), scrutins)})
    assert r.json()["code"] == "revoked"
    r = confirm(client, {"credentials": publics(code_of(cset, voter, 1), scrutins)})
    assert r.json()["ok"] is True


def test_english_messages(client):
    _, scrutins, voters, _ = booth_election_make()
    voter_client_login(client, voters[0])
    r = client.post(
        "/en" + reverse("booth:code_confirm"),
        json.dumps({"credentials": publics(codes.code_from_value(7), scrutins)}),
        content_type="application/json",
    )
    assert r.json()["code"] == "wrong_code"
    assert r.json()["message"].startswith("This vote code is unknown.")
    page = client.get("/en/vote/").content.decode()
    assert "Enter your vote code" in page and "Which list do you vote for?" in page


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"not json", "bad_json"),
        (b"[]", "bad_request"),
        (b'{"credentials": 3}', "bad_request"),
        (b'{"credentials": {"x": 5}}', "not_text"),
        (b"{}", "bad_request"),
    ],
)
def test_bad_requests_never_500(client, body, code):
    _, _, voters, _ = booth_election_make()
    voter_client_login(client, voters[0])
    r = client.post(reverse("booth:code_confirm"), body, content_type="application/json")
    assert r.status_code == 400
    assert r.json()["code"] == code


def test_rate_limited(client, settings):
    settings.URNE_RATE_LIMITS = {**settings.URNE_RATE_LIMITS, "votecode_address": (3, 300)}
    _, scrutins, voters, _ = booth_election_make()
    voter_client_login(client, voters[2])
    body = {"credentials": publics(codes.code_from_value(99), scrutins)}
    codes_seen = [confirm(client, body).json()["code"] for _ in range(5)]
    assert codes_seen[:3] == ["wrong_code"] * 3
    assert codes_seen[3:] == ["rate_limited"] * 2


def test_captcha_checked_when_enabled(client, settings):
    settings.URNE_CAPTCHA_ENABLED = True
    _, scrutins, voters, cset = booth_election_make()
    voter_client_login(client, voters[0])
    client.get(reverse("booth:entry"))  # draws a challenge
    r = confirm(
        client, {"credentials": publics(code_of(cset, voters[0]), scrutins), "captcha": "0"}
    )
    assert r.status_code == 400 and r.json()["code"] == "captcha"
    assert r.json()["captcha_image"]


def test_2018_password_checked(client):
    _, scrutins, voters, cset = booth_election_make(style="2018")
    voter_client_login(client, voters[0])
    body = {"credentials": publics(code_of(cset, voters[0]), scrutins), "password": "wrong"}
    assert confirm(client, body).json()["code"] == "bad_password"
    body["password"] = PASSWORD_2018
    assert confirm(client, body).json()["ok"] is True


def test_no_scrutin_set_up_yet(client):
    from datetime import timedelta

    from django.utils import timezone

    from factories.authority import listed_election_make

    election, _, voters = listed_election_make()
    election.vote_opens = timezone.now() - timedelta(hours=1)
    election.vote_closes = timezone.now() + timedelta(days=1)
    election.style = "2022"
    election.save()
    voter_client_login(client, voters[0])
    page = html.unescape(client.get(reverse("booth:entry")).content.decode())
    assert "Aucun de vos scrutins n'est encore prêt pour le vote." in page
    assert 'id="vote-code"' not in page


def test_the_booth_dates_are_worded_in_the_pages_language(client):
    """English pages read "Tuesday 1 December 2026, 08:00", never a French "à 08h00"."""
    from urne.elections.calendar import paris

    election, _, voters, _ = booth_election_make(window="before")
    voter_client_login(client, voters[0])
    client.cookies["django_language"] = "en"
    page = html.unescape(client.get("/en" + reverse("booth:entry")).content.decode())
    from django.utils import translation

    with translation.override("en"):
        worded = paris(election.vote_opens)
    assert worded in page
    assert " à " not in worded and "h0" not in worded
