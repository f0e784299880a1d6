"""Fuzzing the cast endpoint and the vote-code check over HTTP (ADR 0520): whatever the
body, its content type or its shape, the answer is a refusal with a stable code and a
message, never a server error, and nothing is stored in the urn or the voter store. The
example counts are bounded so that the file runs in seconds."""

import json
import logging

import pytest
from django.core.cache import cache
from django.test import Client
from django.test.client import MULTIPART_CONTENT
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factories.accounts import voter_client_login
from factories.authority import booth_election_make
from urne.booth.models import BoothEntry, Emargement
from urne.urn.models import UrnBallot

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])

SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CSRF = "A" * 32
#: Every character, lone surrogates and NUL included.
ANY_TEXT = st.text(st.characters(codec=None, categories=None), max_size=40)
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=latin-1",
        "text/plain",
        "multipart/form-data",
        MULTIPART_CONTENT,
        "application/x-www-form-urlencoded",
    ]
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
    max_leaves=12,
)


def _as_bytes(value: object) -> bytes:
    return json.dumps(value).encode()  # NaN and Infinity come out as non-JSON words


def bodies(shape: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.binary(max_size=200),
        st.integers(1, 20_000).map(lambda n: b"[" * n),
        JSON_VALUES.map(_as_bytes),
        shape.map(_as_bytes),
    )


CAST_SHAPES = st.fixed_dictionaries(
    {"scrutin": JSON_VALUES, "ballot": JSON_VALUES | ANY_TEXT.map(lambda t: json.dumps([t]))}
)
CODE_SHAPES = st.fixed_dictionaries(
    {"credentials": st.dictionaries(ANY_TEXT, JSON_VALUES, max_size=3)},
    optional={"captcha": JSON_VALUES, "password": JSON_VALUES},
)


@pytest.fixture
def booth(settings):
    # Every example is one more request of the same voter and address.
    settings.URNE_RATE_LIMITS = {
        **settings.URNE_RATE_LIMITS,
        **{k: (10**6, 60) for k in ("cast_voter", "cast_address")},
        **{k: (10**6, 60) for k in ("votecode_voter", "votecode_address")},
    }
    cache.clear()
    _election, scrutins, voters, _cset = booth_election_make()
    client = Client(enforce_csrf_checks=True, HTTP_X_CSRFTOKEN=CSRF)
    client.cookies["csrftoken"] = CSRF
    voter_client_login(client, voters[0])
    return client, scrutins


def refused(client, caplog, endpoint, body, content_type="application/json") -> dict:
    """POST ``body`` to ``endpoint``: a refusal with a code and a message, no server error,
    no error logged, nothing stored."""
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        response = client.generic("POST", reverse(endpoint), body, CONTENT_TYPE=content_type)
    assert response.status_code < 500, response.content[:200]
    data = response.json()
    assert data["code"] and data["message"]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not errors, [r.getMessage() for r in errors]
    assert not Emargement.objects.exists()
    assert not BoothEntry.objects.exists()
    assert not UrnBallot.objects.using("urn").exists()
    return data


@SETTINGS
@given(body=bodies(CAST_SHAPES), content_type=CONTENT_TYPES)
def test_the_cast_refuses_any_hostile_body(booth, caplog, body, content_type):
    refused(booth[0], caplog, "booth:cast", body, content_type)


@SETTINGS
@given(ballot=ANY_TEXT | st.binary(max_size=100).map(lambda b: b.decode("latin-1")))
def test_the_cast_refuses_any_ballot_text_for_a_real_scrutin(booth, caplog, ballot):
    client, scrutins = booth
    body = json.dumps({"scrutin": scrutins[0].uuid, "ballot": ballot})
    data = refused(client, caplog, "booth:cast", body)
    assert data["code"] in {"invalid_ballot", "bad_encoding"}


@SETTINGS
@given(body=bodies(CODE_SHAPES), content_type=CONTENT_TYPES)
def test_the_code_check_refuses_any_hostile_body(booth, caplog, body, content_type):
    refused(booth[0], caplog, "booth:code_confirm", body, content_type)


@SETTINGS
@given(credential=ANY_TEXT)
def test_the_code_check_refuses_any_credential_text_for_the_voters_scrutins(
    booth, caplog, credential
):
    client, scrutins = booth
    body = json.dumps({"credentials": {s.uuid: credential for s in scrutins}})
    data = refused(client, caplog, "booth:code_confirm", body)
    assert data["code"] in {"wrong_code", "bad_encoding", "text_too_long"}
