"""A theme for the length of a test (ADR 0241): its apps installed and its policy sent, as
the settings would with URNE_THEME (urne.site.themes)."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.test import override_settings

from urne.site.themes import content_security_policy, installed_apps


@contextmanager
def theme_use(name: str) -> Iterator[str]:
    if name == settings.URNE_THEME:
        yield name
        return
    with override_settings(
        URNE_THEME=name,
        INSTALLED_APPS=installed_apps(list(settings.INSTALLED_APPS), name),
        SECURE_CSP=content_security_policy(settings.SECURE_CSP, name),
    ):
        yield name
