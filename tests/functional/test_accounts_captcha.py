"""CAPTCHA switched ON (the suite runs with it off): wrong refused, right accepted, single use,
image and French audio served, the answer only hashed in the session."""

import io
import json
import re
import shutil
import wave

import pytest
from django.core.cache import cache
from django.urls import reverse
from PIL import Image

from factories.accounts import PASSWORD_2022, account_make, voter_with_email
from factories.elections import election_make
from urne.accounts.captcha import code_from_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _captcha_on(settings):
    settings.URNE_CAPTCHA_ENABLED = True
    cache.clear()


def _token(page: str) -> str:
    match = re.search(r'/compte/captcha/([^/"]+)/image\.png', page)
    assert match, "no CAPTCHA on the page"
    return match.group(1)


def _voter(style="2022"):
    election = election_make(name="E", style=style)
    return voter_with_email(election, "camille.martin@ac-dijon.fr")


def test_2022_identification_shows_the_captcha_2018_does_not(client):
    _voter("2022")
    page = client.get(reverse("accounts:login")).text
    assert "Veuillez saisir le CAPTCHA ci-dessous" in page
    assert "Écouter le code (audio en français)" in page
    election_make(name="Later 2018", style="2018")
    assert "CAPTCHA" not in client.get(reverse("accounts:login")).text


def test_wrong_captcha_is_refused_and_a_new_one_drawn(client):
    voter = _voter()
    account_make(voter)
    first = _token(client.get(reverse("accounts:login")).text)
    response = client.post(reverse("accounts:login"), {"email": voter.email, "captcha": "00000x"})
    assert response.status_code == 200
    assert "Le CAPTCHA saisi est incorrect" in response.text
    assert _token(response.text) != first


def test_right_captcha_is_accepted_once(client):
    voter = _voter()
    account_make(voter)
    code = code_from_token(_token(client.get(reverse("accounts:login")).text))
    response = client.post(reverse("accounts:login"), {"email": voter.email, "captcha": code})
    assert response["Location"] == reverse("accounts:login_password")
    # The same answer a second time: the challenge was consumed.
    response = client.post(reverse("accounts:login"), {"email": voter.email, "captcha": code})
    assert "Le CAPTCHA saisi est incorrect" in response.text


def test_captcha_on_password_creation(client, django_capture_on_commit_callbacks):
    from factories.accounts import link_follow, mail_clear, mail_outbox
    from urne.accounts.services import opening_send

    mail_clear()
    voter = _voter()
    with django_capture_on_commit_callbacks(execute=True):
        opening_send(voter=voter)
    path = link_follow(client, mail_outbox()[0])
    page = client.get(path).text
    data = {"password": PASSWORD_2022, "confirmation": PASSWORD_2022, "captcha": "1"}
    response = client.post(path, data)
    assert response.status_code == 400
    assert "Le CAPTCHA saisi est incorrect" in response.text
    data["captcha"] = code_from_token(_token(response.text))
    assert client.post(path, data)["Location"] == reverse("accounts:activation")
    assert page


def test_captcha_answer_is_only_hashed_in_the_session(client):
    _voter()
    code = code_from_token(_token(client.get(reverse("accounts:login")).text))
    stored = json.dumps(client.session["urne_captcha"])
    assert code not in stored
    assert "hash" in stored


def test_image_is_a_png(client):
    _voter()
    token = _token(client.get(reverse("accounts:login")).text)
    response = client.get(reverse("accounts:captcha_image", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size == (200, 70)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_audio_endpoint_returns_a_french_wav(client):
    _voter()
    token = _token(client.get(reverse("accounts:login")).text)
    response = client.get(reverse("accounts:captcha_audio", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    with wave.open(io.BytesIO(response.content)) as wav:
        seconds = wav.getnframes() / wav.getframerate()
    assert seconds > 4  # an introduction, five digits, said twice


def test_forged_media_token_is_404_not_500(client):
    assert client.get(reverse("accounts:captcha_image", args=["forged"])).status_code == 404
    assert client.get(reverse("accounts:captcha_audio", args=["forged"])).status_code == 404


def test_audio_without_espeak_is_a_clear_503(client, settings):
    settings.URNE_ESPEAK = "/nonexistent/espeak-ng"
    from urne.accounts.captcha import _speak

    _speak.cache_clear()
    _voter()
    token = _token(client.get(reverse("accounts:login")).text)
    response = client.get(reverse("accounts:captcha_audio", args=[token]))
    _speak.cache_clear()
    assert response.status_code == 503
    assert "indisponible" in response.text


def test_captcha_check_service_for_the_booth(rf):
    from django.contrib.sessions.backends.db import SessionStore

    from urne.accounts.captcha import captcha_check, captcha_new

    request = rf.get("/")
    request.session = SessionStore()
    challenge = captcha_new(request, purpose="vote_code")
    code = code_from_token(challenge.image_url.split("/")[-2])
    assert not captcha_check(request, code, purpose="other")
    assert captcha_check(request, code, purpose="vote_code")
    assert not captcha_check(request, code, purpose="vote_code")  # single use
