"""Django bits shared by the platform tests (the crypto tests do not use them)."""

import pytest


@pytest.fixture
def manager(db):
    from platform_factories import staff_make

    return staff_make("manager")


@pytest.fixture
def election(db):
    from platform_factories import election_make

    return election_make()


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files go to a per-test folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
