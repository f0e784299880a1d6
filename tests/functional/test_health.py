"""The monitoring endpoints (urne.site.health): liveness touches no store; readiness names
the store that does not answer, with a 503."""

import pytest
from django.db import connections
from django.urls import reverse

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])


def test_healthz_and_readyz_answer_when_every_store_does(client):
    assert client.get(reverse("healthz")).json() == {"status": "ok"}
    r = client.get(reverse("readyz"))
    assert r.status_code == 200
    assert r.json()["stores"] == {"default": "ok", "authority": "ok", "urn": "ok"}
    assert "no-cache" in r["Cache-Control"]


@pytest.fixture
def urn_unreachable():
    conn = connections["urn"]
    saved = dict(conn.settings_dict)
    conn.close()
    if conn.vendor == "sqlite":
        conn.settings_dict["NAME"] = "/nonexistent-folder/urn.sqlite3"
    else:
        conn.settings_dict["PORT"] = "1"
    conn.connection = None
    yield
    conn.close()
    conn.settings_dict.update(saved)


# Transactional: the urn's connection is closed and reopened elsewhere, out of any test
# transaction.
@pytest.mark.django_db(databases=["default", "authority", "urn"], transaction=True)
def test_readyz_names_the_store_that_does_not_answer(client, urn_unreachable):
    r = client.get(reverse("readyz"))
    assert r.status_code == 503
    assert r.json() == {
        "status": "unavailable",
        "stores": {"default": "ok", "authority": "ok", "urn": "down"},
    }
    assert client.get(reverse("healthz")).status_code == 200
