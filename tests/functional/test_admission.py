"""Admission control (urne.site.admission, ADR 0580): over the limit, new arrivals at the
accounts' door get the waiting page (503, Retry-After, French or English, in the site's
frame); voters already in a journey, the public pages and the back office always pass."""

import pytest
from django.test import Client
from django.urls import reverse

from factories.accounts import voter_client_login
from factories.elections import election_open_make, voter_make
from urne.site.admission import TokenBucket, admission_reset

LOGIN = "/compte/connexion/"


@pytest.fixture
def one_a_minute(settings):
    """One new journey a minute on this process: the first arrival is admitted, the next
    waits."""
    settings.URNE_ADMISSION_PER_MINUTE = 1
    settings.URNE_ADMISSION_RETRY_AFTER = 30
    admission_reset()
    yield
    admission_reset()


def _waiting(response) -> None:
    assert response.status_code == 503
    assert 30 <= int(response["Retry-After"]) <= 60
    assert response["Cache-Control"] == "no-store"
    assert "sessionid" not in response.cookies  # no session made for the held


@pytest.mark.django_db
def test_over_the_limit_new_arrivals_wait_in_french_and_english(one_a_minute):
    election_open_make()
    first = Client()
    assert first.get(LOGIN).status_code == 200  # admitted: it now has a session
    assert first.cookies["sessionid"].value

    french = Client().get(LOGIN)
    _waiting(french)
    text = french.content.decode()
    assert "Affluence : merci de patienter" in text
    assert f"Revenez dans {french['Retry-After']} secondes" in text
    assert 'lang="fr"' in text and "Réessayer" in text

    english = Client().get("/en" + LOGIN)
    _waiting(english)
    text = english.content.decode()
    assert "Many voters at once: please wait" in text
    assert f"Come back in {english['Retry-After']} seconds" in text
    assert 'lang="en"' in text and "Try again" in text
    assert "Affluence" not in text


@pytest.mark.django_db
def test_voters_already_in_a_journey_keep_going(one_a_minute):
    election = election_open_make()
    first = Client()
    assert first.get(LOGIN).status_code == 200
    _waiting(Client().get(LOGIN))  # the bucket is empty now
    # The admitted arrival goes on (its next step, a POST, is not held) …
    assert first.post(LOGIN, {"email": "nobody@ac-lyon.fr"}).status_code in (200, 302)
    assert first.get(LOGIN).status_code == 200
    # … and so does a voter logged in before the surge, on the accounts' pages and elsewhere.
    voter = voter_make(election)
    logged = Client()
    voter_client_login(logged, voter)
    assert logged.get(LOGIN).status_code != 503
    assert logged.get(reverse("portal:home")).status_code == 200


@pytest.mark.django_db
def test_the_rest_of_the_site_is_never_held(one_a_minute):
    election_open_make()
    assert Client().get(LOGIN).status_code == 200
    _waiting(Client().get(LOGIN))
    anonymous = Client()
    assert anonymous.get(reverse("portal:home")).status_code == 200
    assert anonymous.get(reverse("portal:faq")).status_code == 200
    assert anonymous.get(reverse("backoffice:login")).status_code == 200
    assert anonymous.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_no_limit_by_default(settings):
    assert settings.URNE_ADMISSION_PER_MINUTE == 0
    election_open_make()
    for _ in range(5):
        assert Client().get(LOGIN).status_code == 200


def test_the_bucket_refills_at_its_rate_with_a_burst():
    now = [0.0]
    bucket = TokenBucket(rate=2.0, capacity=3.0, clock=lambda: now[0])
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    now[0] += 0.5  # one token back
    assert [bucket.take(), bucket.take()] == [True, False]
    now[0] += 100  # never more than the burst
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]


def _take_one(bucket: TokenBucket) -> None:
    assert bucket.take()


def test_one_bucket_for_every_worker_forked_after_it():
    """Made in gunicorn's master before the fork, the bucket is shared by the workers: a
    token taken in one is gone for the others."""
    import multiprocessing

    bucket = TokenBucket(rate=0.0, capacity=2.0)
    worker = multiprocessing.get_context("fork").Process(target=_take_one, args=(bucket,))
    worker.start()
    worker.join(timeout=30)
    assert worker.exitcode == 0
    assert [bucket.take(), bucket.take()] == [True, False]
