import pytest


@pytest.fixture(autouse=True)
def _media(media_root):
    return media_root


@pytest.fixture(autouse=True)
def _french():
    """Requests activate their language in the thread, and reverse() follows it: start each
    test in the default language so an English request cannot leak into the next test."""
    from django.utils import translation

    with translation.override("fr"):
        yield
