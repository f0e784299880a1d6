"""Django bits shared by the platform tests (the crypto tests do not use them)."""

import pytest

DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup"}


def pytest_collection_modifyitems(config, items):
    """Mark ``database`` every test that uses a database (pytest-django's marker or fixtures,
    directly or through another fixture), so that the SQLite pass of CI and
    ``make test-platform`` select them by need rather than by a list of folders."""
    for item in items:
        if item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.database)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request to an /en/ page leaves English
    active in the thread, and a later test's ``reverse()`` would then give /en/ paths."""
    from django.conf import settings

    if not settings.configured:
        yield
        return
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def manager(db):
    from factories.elections import staff_make

    return staff_make("manager")


@pytest.fixture
def election(db):
    from factories.elections import election_make

    return election_make()


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files go to a per-test folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd) the SMTP channel sends to; its recorder (what came)."""
    from factories.accounts import smtp_server_start

    controller, recorder = smtp_server_start(settings)
    yield recorder
    controller.stop()
