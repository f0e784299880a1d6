import pytest


@pytest.fixture(autouse=True)
def _media(media_root):  # noqa: ANN001 - every platform test writes uploads to tmp_path
    return media_root
