"""Settings, router and system checks: the three stores and production's secret check."""

import importlib
import os
from types import SimpleNamespace

import pytest
from django.test import override_settings

from urne.site import checks
from urne.site.router import StoreRouter, store_for_app


def _model(app_label: str) -> SimpleNamespace:
    return SimpleNamespace(_meta=SimpleNamespace(app_label=app_label))


def test_apps_live_in_their_store():
    assert store_for_app("elections") == "default"
    assert store_for_app("authority") == "authority"
    assert store_for_app("urn") == "urn"


def test_router_migrates_each_app_only_in_its_store():
    router = StoreRouter()
    assert router.allow_migrate("default", "elections")
    assert not router.allow_migrate("urn", "elections")
    assert not router.allow_migrate("authority", "auth")
    assert router.allow_migrate("urn", "urn")
    assert not router.allow_migrate("default", "urn")
    assert router.db_for_write(_model("authority")) == "authority"


def test_no_relation_crosses_stores():
    router = StoreRouter()
    assert not router.allow_relation(_model("elections"), _model("urn"))
    assert not router.allow_relation(_model("authority"), _model("elections"))
    assert router.allow_relation(_model("elections"), _model("audit"))


def test_three_databases_sqlite_by_default_postgres_by_env(monkeypatch):
    import urne.site.settings.base as base

    monkeypatch.setenv("URNE_DB", "postgres")
    monkeypatch.setenv("URNE_DB_PREFIX", "urne_x")
    dbs = base._databases()
    assert {a: d["NAME"] for a, d in dbs.items()} == {
        "default": "urne_x_voters",
        "authority": "urne_x_authority",
        "urn": "urne_x_urn",
    }
    assert all(d["ENGINE"] == "django.db.backends.postgresql" for d in dbs.values())
    monkeypatch.setenv("URNE_DB", "sqlite")
    dbs = base._databases()
    assert {str(d["NAME"]).rsplit("/", 1)[-1] for d in dbs.values()} == {
        "voters.sqlite3",
        "authority.sqlite3",
        "urn.sqlite3",
    }


def test_locale_and_time_zone(settings):
    assert settings.LANGUAGE_CODE == "fr"
    assert [code for code, _name in settings.LANGUAGES] == ["fr", "en"]
    assert settings.USE_TZ and settings.TIME_ZONE == "Europe/Paris"
    assert settings.DATABASE_ROUTERS == ["urne.site.router.StoreRouter"]


def test_argon2_is_the_production_hasher():
    import urne.site.settings.base as base
    from urne.accounts.hashers import UrneArgon2PasswordHasher

    # Argon2id with Urne's parameters (ADR 0206); Django's own still reads older hashes.
    assert base.PASSWORD_HASHERS[0] == "urne.accounts.hashers.UrneArgon2PasswordHasher"
    assert UrneArgon2PasswordHasher.algorithm == "argon2"
    assert "django.contrib.auth.hashers.Argon2PasswordHasher" in base.PASSWORD_HASHERS


@pytest.mark.parametrize("key", ["placeholder-not-a-secret", "short", "x" * 40 + "changeme" * 2])
def test_production_refuses_placeholder_secrets(key):
    with override_settings(DEBUG=False, URNE_REFUSE_PLACEHOLDER_SECRETS=True, SECRET_KEY=key):
        assert [e.id for e in checks.secret_key_check()] == ["urne.E001"]


def test_production_accepts_a_real_secret():
    key = "k" * 20 + os.urandom(24).hex()
    with override_settings(DEBUG=False, URNE_REFUSE_PLACEHOLDER_SECRETS=True, SECRET_KEY=key):
        assert checks.secret_key_check() == []


@pytest.mark.parametrize(
    ("behind", "proxies", "errors"),
    [(True, [], ["urne.E022"]), (True, ["10.0.0.1"], []), (False, [], [])],
)
def test_a_server_behind_a_proxy_must_name_it(behind, proxies, errors):
    with override_settings(URNE_BEHIND_PROXY=behind, URNE_TRUSTED_PROXIES=proxies):
        assert [e.id for e in checks.trusted_proxies_check()] == errors


def test_prod_settings_turn_the_check_on(monkeypatch):
    monkeypatch.delenv("URNE_SECRET_KEY", raising=False)
    prod = importlib.import_module("urne.site.settings.prod")
    assert prod.URNE_REFUSE_PLACEHOLDER_SECRETS is True
    assert prod.DEBUG is False
    assert "placeholder" in prod.SECRET_KEY
    # rate limits and lockouts must be shared by every web process
    assert prod.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"


def test_every_store_assignment_names_an_installed_app():
    from django.apps import apps
    from django.conf import settings

    labels = {app.label for app in apps.get_app_configs()}
    assert set(settings.URNE_STORES) <= labels
    assert set(settings.URNE_STORES.values()) <= set(settings.DATABASES)
