"""Urne's Argon2id parameters (ADR 0206): the hashes carry them, and a password or challenge
answer hashed with Django's default parameters still verifies and is re-hashed with ours on
success only. The suite's settings keep a fast hasher; these tests put the real ones back and
hash only a few secrets (Django's defaults cost a few hundred milliseconds a check here)."""

import json

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, make_password
from django.urls import reverse

from factories.accounts import PASSWORD_2018, account_make, voter_client_login, voter_with_email
from factories.elections import election_make
from urne.accounts.hashers import UrneArgon2PasswordHasher
from urne.accounts.models import VoterAccount
from urne.accounts.selectors import current_voter
from urne.accounts.services import AccountError, account_authenticate, answer_check

pytestmark = pytest.mark.django_db

URNE = "urne.accounts.hashers.UrneArgon2PasswordHasher"
DJANGO_ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"
OURS = {"memory_cost": 19 * 1024, "time_cost": 2, "parallelism": 1}
DJANGO_DEFAULTS = {"memory_cost": 100 * 1024, "time_cost": 2, "parallelism": 8}


@pytest.fixture
def real_hashers(settings):
    """The production hasher list's head (test.py keeps MD5 for speed)."""
    settings.PASSWORD_HASHERS = [URNE, DJANGO_ARGON2]


def _params(encoded: str) -> dict[str, int]:
    decoded = UrneArgon2PasswordHasher().decode(encoded)
    return {key: decoded[key] for key in OURS}


def _django_default_hash(secret: str) -> str:
    """A hash as Django's own Argon2 hasher makes it (100 MiB, t=2, p=8)."""
    hasher = Argon2PasswordHasher()
    return hasher.encode(secret, hasher.salt())


def _voter_2018():
    election = election_make(name="Élections 2018", style="2018")
    return voter_with_email(election, "Camille.Martin@ac-dijon.fr")


def _account_with_old_hash(voter) -> VoterAccount:
    account = account_make(voter)
    account.password = _django_default_hash(PASSWORD_2018)
    account.save(update_fields=["password"])
    return account


def test_base_settings_put_ours_first_and_keep_djangos():
    from urne.site.settings import base

    assert base.PASSWORD_HASHERS[:2] == [URNE, DJANGO_ARGON2]
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in base.PASSWORD_HASHERS


def test_the_hash_carries_our_parameters(real_hashers):
    encoded = make_password("Mot-de-passe-2022!")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert _params(encoded) == OURS
    assert check_password("Mot-de-passe-2022!", encoded)
    assert not UrneArgon2PasswordHasher().must_update(encoded)


def test_old_parameters_log_in_through_the_pages_and_are_rehashed(client, real_hashers):
    voter = _voter_2018()
    account = _account_with_old_hash(voter)
    old = account.password
    assert _params(old) == DJANGO_DEFAULTS
    client.post(reverse("accounts:login"), {"email": voter.email})
    response = client.post(reverse("accounts:login_password"), {"password": PASSWORD_2018})
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.password != old and _params(account.password) == OURS
    assert check_password(PASSWORD_2018, account.password)
    # The session was started on the new hash: the voter is logged in.
    assert current_voter(client.get("/").wsgi_request) == voter


def test_our_parameters_are_not_rehashed_at_each_login(real_hashers):
    account = account_make(_voter_2018())
    stored = account.password
    assert _params(stored) == OURS
    account_authenticate(account=account, password=PASSWORD_2018)
    account.refresh_from_db()
    assert account.password == stored  # other sessions of the voter stay valid


def test_wrong_password_does_not_rehash(real_hashers):
    account = _account_with_old_hash(_voter_2018())
    old = account.password
    with pytest.raises(AccountError) as error:
        account_authenticate(account=account, password="Mauvais1")  # noqa: S106 - wrong on purpose
    assert error.value.code == "bad_password"
    account.refresh_from_db()
    assert account.password == old and account.secret_failures == 1


def test_check_inside_a_session_can_keep_the_hash(real_hashers):
    """The 2018 booth checks the password inside the voter's session: no re-hash there."""
    account = _account_with_old_hash(_voter_2018())
    old = account.password
    assert account_authenticate(account=account, password=PASSWORD_2018, rehash=False)
    account.refresh_from_db()
    assert account.password == old and account.last_login_at is not None


@pytest.mark.django_db(databases=["default", "authority", "urn"])
def test_2018_booth_password_keeps_the_session(client, real_hashers):
    from factories.authority import booth_election_make
    from urne.authority import services

    _, scrutins, voters, cset = booth_election_make(style="2018", voters=1)
    account = _account_with_old_hash(voters[0])
    old = account.password
    voter_client_login(client, voters[0])
    code = services.code_derive(credential_set=cset, voter_id=voters[0].pk, index=0)
    body = {
        "credentials": {
            s.uuid: services.public_credential_hex(scrutin_uuid=s.uuid, code=code) for s in scrutins
        },
        "password": PASSWORD_2018,
    }
    response = client.post(
        reverse("booth:code_confirm"), json.dumps(body), content_type="application/json"
    )
    assert response.json()["ok"] is True
    account.refresh_from_db()
    assert account.password == old
    assert current_voter(client.get("/").wsgi_request) == voters[0]


def test_challenge_answer_with_old_parameters_is_rehashed_on_a_right_answer(real_hashers):
    account = account_make(_voter_2018())
    old = _django_default_hash("saint etienne")  # as answer_normalise stores it
    VoterAccount.objects.filter(pk=account.pk).update(challenge_answer=old)
    account.refresh_from_db()
    assert not answer_check(account=account, answer="Lyon")
    account.refresh_from_db()
    assert account.challenge_answer == old
    assert answer_check(account=account, answer="Saint-Étienne")
    account.refresh_from_db()
    assert account.challenge_answer != old and _params(account.challenge_answer) == OURS
    assert answer_check(account=account, answer="SAINT ETIENNE")
