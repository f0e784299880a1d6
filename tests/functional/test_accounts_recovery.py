"""Forgotten password (seed 000), rate limits, and no secret in clear in logs or database."""

import logging

import pytest
from django.contrib.auth.hashers import check_password
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from factories.accounts import (
    PASSWORD_2018,
    PASSWORD_2022,
    account_make,
    link_follow,
    link_token,
    mail_clear,
    mail_outbox,
    voter_with_email,
)
from factories.elections import election_make
from urne.accounts.models import VoterAccount

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean():
    cache.clear()
    mail_clear()


def _voter(style="2018"):
    election = election_make(name="E", style=style)
    return voter_with_email(election, "camille.martin@ac-dijon.fr")


def _post(client, capture, url, data):
    with capture(execute=True):
        return client.post(url, data)


def test_forgotten_password_seed_000(client, django_capture_on_commit_callbacks):
    voter = _voter()
    account = account_make(voter)
    page = client.get(reverse("accounts:login_password"))  # needs step 1: back to login
    assert page.status_code == 302
    assert "Mot de passe oublié ?" in client.get(reverse("accounts:login")).text
    response = _post(
        client,
        django_capture_on_commit_callbacks,
        reverse("accounts:reset_request"),
        {"email": voter.email},
    )
    # The two confirmation messages of seed 000.
    assert "Votre demande de changement de mot de passe a bien été prise en compte." in (
        response.text.replace("&#x27;", "'")
    )
    assert "Cliquez sur le lien contenu dans ce courriel" in response.text
    assert response.text.count("alert--success") == 2  # seed 000: 1er and 2nd message
    [mail] = mail_outbox()
    assert "Vous avez demandé à changer votre mot de passe personnel électeur." in mail.text
    assert "pour confirmer votre demande et définir votre nouveau mot de passe" in mail.text.lower()
    path = link_follow(client, mail)
    page = client.get(path)
    assert "Création de son mot de passe personnel" in page.text
    assert "entre 8 et 24 caractères" in page.text
    response = client.post(path, {"password": "court", "confirmation": "court"})
    assert response.status_code == 400
    response = client.post(path, {"password": "Nouveau2x", "confirmation": "Nouveau2x"})
    assert response.status_code == 200
    assert "Votre mot de passe est valide et a bien été enregistré" in response.text
    account.refresh_from_db()
    assert check_password("Nouveau2x", account.password)
    assert client.get(path).status_code == 410  # single use
    client.post(reverse("accounts:login"), {"email": voter.email})
    assert (
        client.post(reverse("accounts:login_password"), {"password": "Nouveau2x"}).status_code
        == 302
    )


def test_reset_starts_the_failures_count_again(
    client, django_capture_on_commit_callbacks, settings
):
    voter = _voter()
    account = account_make(voter)
    client.post(reverse("accounts:login"), {"email": voter.email})
    for _ in range(settings.URNE_SECRET_FAILURES_BEFORE_CAPTCHA):
        client.post(reverse("accounts:login_password"), {"password": "Mauvais1"})
    account.refresh_from_db()
    assert account.secret_failures == settings.URNE_SECRET_FAILURES_BEFORE_CAPTCHA
    _post(
        client,
        django_capture_on_commit_callbacks,
        reverse("accounts:reset_request"),
        {"email": voter.email},
    )
    path = link_follow(client, mail_outbox()[0])
    client.post(path, {"password": "Nouveau2x", "confirmation": "Nouveau2x"})
    account.refresh_from_db()
    assert account.secret_failures == 0
    assert account.secret_failures_total == settings.URNE_SECRET_FAILURES_BEFORE_CAPTCHA


def test_reset_for_unknown_address_answers_the_same_and_sends_nothing(
    client, django_capture_on_commit_callbacks
):
    _voter()
    response = _post(
        client,
        django_capture_on_commit_callbacks,
        reverse("accounts:reset_request"),
        {"email": "personne@ac-dijon.fr"},
    )
    assert response.status_code == 200
    assert "prise en compte" in response.text
    assert mail_outbox() == []


def test_reset_for_an_account_never_opened_sends_the_opening_link(
    client, django_capture_on_commit_callbacks
):
    voter = _voter("2022")
    _post(
        client,
        django_capture_on_commit_callbacks,
        reverse("accounts:reset_request"),
        {"email": voter.email},
    )
    [mail] = mail_outbox()
    assert "/compte/ouverture/" in mail.text


def test_identification_is_rate_limited_per_address(client, settings):
    settings.URNE_RATE_LIMITS = {**settings.URNE_RATE_LIMITS, "identify_address": (3, 60)}
    voter = _voter()
    account_make(voter)
    for _ in range(3):
        assert client.post(reverse("accounts:login"), {"email": voter.email}).status_code == 302
    response = client.post(reverse("accounts:login"), {"email": voter.email})
    assert response.status_code == 429
    assert "trop de tentatives" in response.text.lower()
    # GET still works: only submissions are counted.
    assert client.get(reverse("accounts:login")).status_code == 200


def test_password_step_is_rate_limited_per_address(client, settings):
    settings.URNE_RATE_LIMITS = {**settings.URNE_RATE_LIMITS, "password_address": (2, 60)}
    voter = _voter()
    account_make(voter)
    client.post(reverse("accounts:login"), {"email": voter.email})
    for _ in range(2):
        response = client.post(reverse("accounts:login_password"), {"password": "x"})
        assert response.status_code == 200
    response = client.post(reverse("accounts:login_password"), {"password": "x"})
    assert response.status_code == 429
    # Per account, failures bring the CAPTCHA, never a refusal (ADR 0500): from elsewhere the
    # right password still opens the session.
    response = client.post(
        reverse("accounts:login_password"), {"password": PASSWORD_2018}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 302


def test_reset_request_is_rate_limited_per_identifier(client, settings):
    settings.URNE_RATE_LIMITS = {**settings.URNE_RATE_LIMITS, "reset_identifier": (2, 3600)}
    voter = _voter()
    for n in range(2):
        response = client.post(
            reverse("accounts:reset_request"), {"email": voter.email}, REMOTE_ADDR=f"10.1.0.{n}"
        )
        assert response.status_code == 200
    response = client.post(
        reverse("accounts:reset_request"), {"email": voter.email}, REMOTE_ADDR="10.1.0.9"
    )
    assert response.status_code == 429


def _all_rows_text() -> str:
    """Every text column of every table of the voter store, concatenated."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from introspection
            for row in cursor.fetchall():
                chunks.extend(str(value) for value in row if value is not None)
    return "\n".join(chunks)


def test_no_secret_in_clear_in_logs_or_database(client, django_capture_on_commit_callbacks, caplog):
    from django.contrib.sessions.models import Session

    caplog.set_level(logging.DEBUG)
    voter = _voter("2022")
    _post(
        client,
        django_capture_on_commit_callbacks,
        reverse("accounts:login"),
        {"email": voter.email},
    )
    opening = mail_outbox()[0]
    token = link_token(opening)
    path = link_follow(client, opening)
    client.post(path, {"password": PASSWORD_2022, "confirmation": PASSWORD_2022})
    answer = "Réponse-Secrète-Unique"
    client.post(
        reverse("accounts:activation"),
        {"question": "pet", "answer": answer, "confirmation": answer},
    )
    assert VoterAccount.objects.get(voter=voter).is_active
    client.post(reverse("accounts:logout"))
    _post(
        client,
        django_capture_on_commit_callbacks,
        reverse("accounts:reset_request"),
        {"email": voter.email},
    )
    reset_token = link_token(mail_outbox()[1])
    reset_path = link_follow(client, mail_outbox()[1])
    new_password = "Autre-Mot-de-passe-99"  # noqa: S105 - test password
    client.post(reset_path, {"password": new_password, "confirmation": new_password})
    client.post(reverse("accounts:login"), {"email": voter.email})
    client.post(reverse("accounts:login_password"), {"password": new_password})

    secrets = [PASSWORD_2022, new_password, answer, "reponse secrete unique", token, reset_token]
    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    database = _all_rows_text()
    sessions = "\n".join(s.session_data + str(s.get_decoded()) for s in Session.objects.all())
    for secret in secrets:
        assert secret not in logged, secret
        assert secret not in database, secret
        assert secret.lower() not in database.lower(), secret
        assert secret not in sessions, secret


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"email": "x" * 5000 + "@ac-lyon.fr"},
        {"email": ["a@b.fr", "c@d.fr"], "password": "\x00", "confirmation": "é" * 300},
        {"question": "nope", "answer": "a" * 1000, "confirmation": "b", "captcha": "∞"},
        {"sans_activation": "1"},
        {"lien": "x" * 5000},
        {"lien": ["https://x.fr/compte/ouverture/lien/#" + "a" * 43, "\x00" * 50]},
    ],
)
def test_bad_input_never_gives_a_500(client, data):
    _voter("2022")
    urls = [
        reverse("accounts:login"),
        reverse("accounts:login_password"),
        reverse("accounts:opening_form"),
        reverse("accounts:opening"),
        reverse("accounts:activation"),
        reverse("accounts:reset_request"),
        reverse("accounts:reset_form"),
        reverse("accounts:reset"),
        reverse("accounts:captcha_image", args=["a" * 500]),
    ]
    for url in urls:
        for method in (client.get, client.post):
            response = method(url, data)
            assert response.status_code < 500, (url, response.status_code)
