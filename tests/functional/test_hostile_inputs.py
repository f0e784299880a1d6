"""Hostile input on every voter-facing endpoint (the portal, the accounts, the booth, the
public board, the language switch), enumerated from their URLconfs: no answer is a server
error, nothing is logged as an error, and each input is refused by its own parser with that
parser's message (``urne.site.parsing``, ADR 0520). The CSRF check is enforced, as in
production, since it is what reads a multipart body before the view."""

import html
import json
import logging
from importlib import import_module

import pytest
from django.core.cache import cache
from django.test import Client
from django.test.client import MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, reverse

from factories.accounts import voter_client_login
from factories.authority import booth_election_make
from factories.portal import portal_world_make
from urne.booth.models import Emargement
from urne.site.parsing import MESSAGES
from urne.urn.models import UrnBallot

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])

#: The voter-facing URLconfs and the namespace each is reversed in; the back office's and
#: the admin's are staff-only and out of this test.
VOTER_URLCONFS = {
    "urne.portal.urls": "portal",
    "urne.accounts.urls": "accounts",
    "urne.booth.urls": "booth",
    "urne.booth.urls_pages": "booth",
    "urne.urn.urls": "urn",
    "django.conf.urls.i18n": "",
}
#: The endpoints that read a JSON body.
JSON_ENDPOINTS = {"booth:cast", "booth:code_confirm"}
CSRF = "A" * 32


def voter_endpoints() -> list[tuple[str, tuple[str, ...]]]:
    """Every named pattern of the voter URLconfs, with the names of its path parameters."""
    found = []
    for module, namespace in VOTER_URLCONFS.items():
        for pattern in import_module(module).urlpatterns:
            if isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found.append((name, tuple(pattern.pattern.converters)))
    return found


def test_the_endpoint_list_is_the_urlconfs():
    names = {name for name, _ in voter_endpoints()}
    assert names >= JSON_ENDPOINTS
    assert {"portal:complaint", "portal:roll", "urn:board", "accounts:login", "set_language"} <= (
        names
    )


def _url(name: str, params: tuple[str, ...], scrutin_uuid: str) -> str:
    samples = {"slug": "parcours-electeur", "list_id": 1, "token": "t" * 20}
    return reverse(name, kwargs={p: samples.get(p, scrutin_uuid) for p in params})


def _client(voter) -> Client:
    client = Client(enforce_csrf_checks=True, HTTP_X_CSRFTOKEN=CSRF)
    client.cookies["csrftoken"] = CSRF
    voter_client_login(client, voter)
    return client


#: Deep but small: within the vote-code check's 16 kB, so that depth is what refuses it.
DEEP = b"[" * 10_000
BIG_DIGITS = "9" * 5000
#: what → (method, content type, body (or by endpoint), query string, the parser's code
#: refusing it on a JSON endpoint (or by endpoint), on any other endpoint (None: the
#: endpoint may ignore it, it just must not fail)).
HOSTILE = {
    "nested_json": ("POST", "application/json", DEEP, "", "json_too_deep", None),
    "nested_json_100k": (
        "POST",
        "application/json",
        b"[" * 100_000,
        "",
        {"booth:cast": "json_too_deep", "booth:code_confirm": "body_too_large"},
        None,
    ),
    "multipart": (
        "POST",
        MULTIPART_CONTENT,
        encode_multipart("BoUnDaRy", {"scrutin": "x", "ballot": "y"}),
        "",
        "not_json",
        None,
    ),
    "lone_surrogate_json": (
        "POST",
        "application/json",
        {
            "booth:cast": b'{"scrutin": "\\ud800", "ballot": "x"}',
            "booth:code_confirm": b'{"credentials": {"a": "\\ud800"}}',
        },
        "",
        "bad_encoding",
        None,
    ),
    "nul_json": (
        "POST",
        "application/json",
        {
            "booth:cast": b'{"scrutin": "a", "ballot": "\\u0000"}',
            "booth:code_confirm": b'{"credentials": {"a\\u0000": "b"}}',
        },
        "",
        "bad_encoding",
        None,
    ),
    "nan_json": ("POST", "application/json", b'{"credentials": NaN}', "", "bad_json", None),
    "oversized_json": (
        "POST",
        "application/json",
        b'{"ballot": "' + b"a" * 700_000 + b'"}',
        "",
        "body_too_large",
        None,
    ),
    "invalid_utf8_json": ("POST", "application/json", b'{"a": "\xff"}', "", "bad_encoding", None),
    "invalid_utf8_form": (
        "POST",
        "application/x-www-form-urlencoded",
        b"identifier=%FF&q=%FF&name=%FF&subject=%C3&text=%ED%A0%80&language=%FF",
        "",
        "bad_encoding",
        "bad_encoding",
    ),
    "nul_form": (
        "POST",
        "application/x-www-form-urlencoded",
        b"identifier=a%00b&name=a%00&subject=%00&text=%00&language=%00",
        "",
        "bad_encoding",
        "bad_encoding",
    ),
    "oversized_form": (
        "POST",
        "application/x-www-form-urlencoded",
        b"q=" + b"a" * (6 * 1024 * 1024),
        "",
        "body_too_large",
        "body_too_large",
    ),
    "malformed_multipart": (
        "POST",
        "multipart/form-data",
        b"no boundary declared",
        "",
        "bad_form",
        "bad_form",
    ),
    "invalid_utf8_multipart": (
        "POST",
        MULTIPART_CONTENT,
        b'--BoUnDaRy\r\nContent-Disposition: form-data; name="identifier"\r\n\r\n'
        b"ab\xffc\r\n--BoUnDaRy--\r\n",
        "",
        "bad_encoding",
        "bad_encoding",
    ),
    "too_many_fields_query": (
        "GET",
        None,
        b"",
        "&".join(f"f{i}=1" for i in range(1001)),
        "too_many_fields",
        "too_many_fields",
    ),
    "huge_int_query": ("GET", None, b"", f"scrutin={BIG_DIGITS}&page={BIG_DIGITS}&q=1", None, None),
    "superscript_query": ("GET", None, b"", "scrutin=%C2%B2&page=%C2%B2&list=%C2%B2", None, None),
    "invalid_utf8_query": (
        "GET",
        None,
        b"",
        "q=%FF&scrutin=%FF&suivi=%FF",
        "bad_encoding",
        "bad_encoding",
    ),
    "surrogate_query": (
        "GET",
        None,
        b"",
        "q=%ED%A0%80&suivi=%ED%A0%80",
        "bad_encoding",
        "bad_encoding",
    ),
    "nul_query": ("GET", None, b"", "q=a%00&suivi=%00&next=%00", "bad_encoding", "bad_encoding"),
    "nul_path": ("GET", None, b"", "", "bad_encoding", "bad_encoding"),
}


def _text(response) -> str:
    if response["Content-Type"].startswith("application/json"):
        return response.json().get("message", "")
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("what", sorted(HOSTILE))
def test_hostile_input_on_every_voter_endpoint(what, caplog):
    cache.clear()
    method, content_type, body, query, on_json, on_any = HOSTILE[what]
    _election, scrutins, voters, _cset = booth_election_make()
    client = _client(voters[0])
    caplog.set_level(logging.WARNING)
    for name, params in voter_endpoints():
        url = _url(name, params, scrutins[0].uuid)
        if what == "nul_path":
            url = url.rstrip("/") + "%00/"
        # A query string reaches a POST too.
        for verb in ("GET", "POST") if method == "GET" else ("POST",):
            extra = {"QUERY_STRING": query} if query else {}
            if content_type:
                extra["CONTENT_TYPE"] = content_type
            voter_client_login(client, voters[0])  # again: the logout endpoint is in the list
            sent = body.get(name, b"{}") if isinstance(body, dict) else body
            r = client.generic(verb, url, sent, **extra)
            where = f"{what} {verb} {name} → {r.status_code}"
            assert r.status_code < 500, where
            expected = on_json if name in JSON_ENDPOINTS else on_any
            if isinstance(expected, dict):
                expected = expected[name]
            if expected is not None:
                assert r.status_code == MESSAGES[expected][0], where
                assert str(MESSAGES[expected][1]) in _text(r), where
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not errors, [r.getMessage() for r in errors]
    # Nothing was recorded by any refusal.
    assert not Emargement.objects.exists()
    assert not UrnBallot.objects.using("urn").exists()


@pytest.mark.parametrize("value", [BIG_DIGITS, "²", "١٢", "-1", "1e3"])
def test_the_complaint_form_preselection_is_an_ascii_id(client, value, caplog):
    cache.clear()
    w = portal_world_make(phase="lists")
    voter_client_login(client, w.voter)
    r = client.get(reverse("portal:complaint"), {"scrutin": value})
    assert r.status_code == 400
    assert str(MESSAGES["bad_id"][1]) in html.unescape(r.content.decode())
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    ok = client.get(reverse("portal:complaint"), {"scrutin": str(w.scrutins[0].pk)})
    assert ok.status_code == 200


def test_the_cast_refuses_a_lone_surrogate_scrutin_as_bad_input_not_unavailable():
    """A 503 "unavailable" tells the booth to resend forever; a 400 says what was wrong."""
    cache.clear()
    _election, _scrutins, voters, _cset = booth_election_make()
    client = _client(voters[0])
    body = json.dumps({"scrutin": "\ud800", "ballot": "x"})
    r = client.post(reverse("booth:cast"), body, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "bad_encoding"


def test_a_form_field_in_invalid_utf8_is_refused_not_stored(client):
    """Django would decode it with replacement and store U+FFFD in the request."""
    from urne.portal.models import AssistanceRequest

    cache.clear()
    w = portal_world_make(phase="lists")
    voter_client_login(client, w.voter)
    body = b"name=Camille%FFMartin&email=c%40example.org&topic=other&message=Bonjour"
    r = client.generic(
        "POST",
        reverse("portal:assistance"),
        body,
        CONTENT_TYPE="application/x-www-form-urlencoded",
    )
    assert r.status_code == 400
    assert str(MESSAGES["bad_encoding"][1]) in html.unescape(r.content.decode())
    assert not AssistanceRequest.objects.exists()
