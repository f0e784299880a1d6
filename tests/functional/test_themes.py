"""The look a deployment chooses (URNE_THEME, ADR 0241): the default theme is neutral, the DSFR
theme replaces the voter and staff frames, its components and the staff's form fields, adds
only data: images to the policy, and refuses to start without its files."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from factories.elections import staff_login, staff_make
from factories.portal import portal_world_make
from factories.themes import theme_use
from factories.workflows import workflow_world_make
from urne.site.themes import content_security_policy, installed_apps

APPS = ["urne.site", "urne.backoffice", "urne.theme", "urne.portal"]
STATE_BRAND = ("fr-header", "République<br>française", "dsfr.min.css")


def test_the_dsfr_app_goes_before_the_apps_it_overrides():
    assert installed_apps(APPS, "default") == APPS
    dsfr = installed_apps(APPS, "dsfr")
    assert dsfr == ["urne.site", "urne.theme_dsfr", "urne.backoffice", "urne.theme", "urne.portal"]
    assert installed_apps(dsfr, "default") == APPS  # and back, without it
    with pytest.raises(ImproperlyConfigured, match="URNE_THEME='marianne'"):
        installed_apps(APPS, "marianne")


def test_the_dsfr_adds_data_images_only_to_the_policy():
    policy = {"img-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'"]}
    dsfr = content_security_policy(policy, "dsfr")
    assert dsfr == {
        "img-src": ["'self'", "data:"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
    }
    assert content_security_policy(dsfr, "default") == policy


def _policy(response):
    return dict(
        (d.split()[0], d.split()[1:]) for d in response["Content-Security-Policy"].split("; ")
    )


@pytest.mark.django_db(databases=["default", "authority", "urn"])
def test_the_default_theme_carries_no_state_brand(client):
    portal_world_make()
    page = client.get(reverse("portal:home"))
    text = page.content.decode()
    assert not any(mark in text for mark in STATE_BRAND)
    assert _policy(page)["img-src"] == ["'self'"]


@pytest.mark.django_db(databases=["default", "authority", "urn"])
def test_the_dsfr_theme_frames_the_voter_pages(client):
    portal_world_make()
    with theme_use("dsfr"):
        page = client.get(reverse("portal:home"))
    text = page.content.decode()
    assert all(mark in text for mark in STATE_BRAND)
    assert 'class="fr-footer site-footer"' in text and "fr-footer__bottom-link" in text
    assert 'src="/static/theme_dsfr/dsfr/dsfr.module.min.js"' in text
    assert _policy(page)["img-src"] == ["'self'", "data:"]
    assert _policy(page)["script-src"] == ["'self'"] and _policy(page)["style-src"] == ["'self'"]


@pytest.mark.django_db(databases=["default", "authority"])
def test_the_dsfr_theme_frames_the_staff_pages_and_their_forms(client):
    w = workflow_world_make()
    staff_login(client, staff_make("manager"))
    url = reverse("backoffice:election_edit", args=[w.election.pk])
    default = client.get(url).content.decode()
    with theme_use("dsfr"):
        text = client.get(url).content.decode()
    assert "fr-header" not in default and "fr-input" not in default
    assert all(mark in text for mark in STATE_BRAND)
    assert 'class="fr-input-group"' in text and 'class="fr-label"' in text
    assert 'class="fr-input"' in text and 'class="fr-select"' in text
    assert 'href="/backoffice/audit/"' in text  # the same navigation as the default frame


def test_the_dsfr_theme_refuses_to_start_without_its_files(monkeypatch, tmp_path):
    from urne.theme_dsfr import checks

    monkeypatch.setattr(checks, "ASSETS", tmp_path)
    [error] = checks.dsfr_assets_check()
    assert error.id == "urne.E700" and "dsfr.min.css" in error.msg and "make dsfr" in error.hint
    for name in checks.REQUIRED:
        (tmp_path / name).mkdir()
    assert checks.dsfr_assets_check() == []
