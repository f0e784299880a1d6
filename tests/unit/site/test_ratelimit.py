"""The rate limits' home (urne.site.ratelimit, ADR 0335): one counter (one statement counts
every key of a request in a fixed window shared by all web processes; keys never in clear;
old counters purged), one setting of named limits, one reader of the client address (a
forwarded address only from a trusted proxy), and every voter-facing caller through it: the
cast, the vote-code check, the accounts' forms, the portal's and the board's lookup."""

import json

import pytest
from django.core.checks import run_checks
from django.db import connections
from django.test import Client, RequestFactory
from django.urls import reverse

from factories.accounts import voter_client_login
from factories.booth import cast_setup_make
from factories.portal import portal_world_make
from urne.site.models import RateCounter
from urne.site.ratelimit import client_address, rate_counters_purge, rate_limited

pytestmark = pytest.mark.django_db  # the counters live in the voter store

T0 = 1_800_000_000  # a window boundary for 60 and 300 s


def _limits(settings, **limits):
    settings.URNE_RATE_LIMITS = {**settings.URNE_RATE_LIMITS, **limits}


def _cast_hit(now: float, voter: str = "a1", address: str = "10.0.0.1") -> bool:
    return rate_limited(hits={"cast_voter": voter, "cast_address": address}, now=now)


# --- the counter ----------------------------------------------------------------------------


def test_over_the_voters_limit_in_its_window_then_a_new_window(settings):
    _limits(settings, cast_voter=(3, 300))
    assert [_cast_hit(T0 + i) for i in range(5)] == [False, False, False, True, True]
    assert _cast_hit(T0 + 300) is False  # the next window starts again from one
    assert _cast_hit(T0 + 301, voter="a2") is False  # another voter, same address


def test_over_the_address_limit(settings):
    _limits(settings, cast_address=(2, 60))
    got = [_cast_hit(T0 + i, voter=f"a{i}") for i in range(4)]
    assert got == [False, False, True, True]


def test_both_counted_in_one_statement_and_nothing_in_clear(django_assert_num_queries):
    with django_assert_num_queries(0 if connections["default"].vendor == "postgresql" else 1):
        _cast_hit(T0, voter="a42", address="192.168.1.77")  # prepared statements bypass the log
    keys = list(RateCounter.objects.values_list("key", "count"))
    assert len(keys) == 2 and all(count == 1 for _, count in keys)
    assert not any("42" in k or "192.168" in k for k, _ in keys)


def test_counts_per_limit_and_key(settings):
    settings.URNE_RATE_LIMITS = {"identify": (2, 60), "reset": (1, 60)}
    assert not rate_limited(hits={"identify": "a"})
    assert not rate_limited(hits={"identify": "a"})
    assert rate_limited(hits={"identify": "a"})
    assert not rate_limited(hits={"identify": "b"})
    assert not rate_limited(hits={"reset": "a"})
    assert rate_limited(hits={"reset": "a"})
    assert "a" not in set(RateCounter.objects.values_list("key", flat=True))


def test_purge_drops_old_counters_only():
    _cast_hit(T0)
    _cast_hit(T0 + 86400 * 2, voter="a9", address="10.9.9.9")
    assert rate_counters_purge(now=T0 + 86400 * 2) == 2
    assert RateCounter.objects.count() == 2


def test_the_table_is_unlogged_on_postgresql():
    conn = connections["default"]
    if conn.vendor != "postgresql":
        pytest.skip("UNLOGGED is PostgreSQL's")
    with conn.cursor() as cur:
        cur.execute(
            "SELECT relpersistence FROM pg_class WHERE relname = %s",
            [RateCounter._meta.db_table],
        )
        assert cur.fetchone() == ("u",)


# --- the one setting ------------------------------------------------------------------------


def test_every_limit_in_one_setting_with_todays_values(settings):
    assert settings.URNE_RATE_LIMITS == {
        "cast_voter": (30, 300),
        "cast_address": (6000, 60),
        "votecode_address": (3000, 300),
        "identify_address": (3000, 300),
        "identify_identifier": (20, 300),
        "password_address": (3000, 300),
        "reset_address": (300, 3600),
        "reset_identifier": (5, 3600),
        "activate": (3000, 300),
        "captcha": (6000, 300),
        "password_failures_address": (300, 300),
        "assistance": (5, 3600),
        "complaint": (5, 3600),
        "roll_search": (120, 60),
        "replacement_voter": (10, 3600),
        "replacement_address": (3000, 3600),
        "reassort_voter": (10, 3600),
        "reassort_address": (600, 3600),
        "board_lookup": (120, 60),
        "staff_login": (30, 300),
        "staff_otp": (30, 300),
    }


def test_a_malformed_limit_or_proxy_is_refused_at_start(settings):
    assert not [e for e in run_checks() if e.id in ("urne.E020", "urne.E021")]
    _limits(settings, captcha=(60,))
    settings.URNE_TRUSTED_PROXIES = ["10.0.0.0/8", "proxy.example"]
    ids = sorted(e.id for e in run_checks() if e.id in ("urne.E020", "urne.E021"))
    assert ids == ["urne.E020", "urne.E021"]


# --- the client address ---------------------------------------------------------------------


def _request(remote: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_without_trusted_proxies_only_remote_addr(settings):
    settings.URNE_TRUSTED_PROXIES = []
    assert client_address(_request("198.51.100.7")) == "198.51.100.7"
    assert client_address(_request("198.51.100.7", "203.0.113.9")) == "198.51.100.7"
    assert client_address(_request("")) == "unknown"


def test_behind_a_trusted_proxy_the_forwarded_client(settings):
    settings.URNE_TRUSTED_PROXIES = ["10.0.0.5"]
    assert client_address(_request("10.0.0.5", "203.0.113.9")) == "203.0.113.9"
    assert client_address(_request("10.0.0.5", " 2001:db8::1 ")) == "2001:db8::1"
    # No header, or garbage in it: the proxy itself, never a made-up address.
    assert client_address(_request("10.0.0.5")) == "10.0.0.5"
    assert client_address(_request("10.0.0.5", "not-an-address")) == "10.0.0.5"


def test_a_spoofed_forwarded_for_from_an_untrusted_client_is_ignored(settings):
    settings.URNE_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address(_request("203.0.113.9", "10.0.0.1, 192.0.2.1")) == "203.0.113.9"


def test_hops_a_client_wrote_before_the_proxies_are_ignored(settings):
    # The client sent "X-Forwarded-For: 192.0.2.66"; the edge proxy 10.0.0.5 appended the
    # address it saw, the inner proxy 10.1.0.7 the edge's, and connects to us.
    settings.URNE_TRUSTED_PROXIES = ["10.0.0.5", "10.1.0.0/16"]
    chain = "192.0.2.66, 203.0.113.9, 10.0.0.5"
    assert client_address(_request("10.1.0.7", chain)) == "203.0.113.9"
    # Every hop a trusted proxy: the left-most one.
    assert client_address(_request("10.1.0.7", "10.0.0.5")) == "10.0.0.5"


# --- every caller through the home ----------------------------------------------------------

ALL = ["default", "authority", "urn"]


@pytest.fixture
def cast_world():
    return cast_setup_make(voters=2, lists=2, seed="ratelimit")


def _logged(voter) -> Client:
    client = Client()
    voter_client_login(client, voter)
    return client


@pytest.mark.django_db(databases=ALL)
def test_the_cast_per_voter_and_per_address(cast_world, settings):
    _limits(settings, cast_voter=(1, 300), cast_address=(3, 60))
    body = json.dumps({"scrutin": cast_world.scrutins[0].scrutin.uuid, "ballot": "x"})

    def cast(client, **extra):
        url = reverse("booth:cast")
        return client.post(url, body, content_type="application/json", **extra).status_code

    first, second = (_logged(v) for v in cast_world.voters)
    assert [cast(first), cast(first)] == [400, 429]  # per voter
    assert cast(second) == 400  # another voter, the same address (the third count)
    assert cast(second) == 429  # over the voter's limit
    other = _logged(cast_world.voters[1])
    assert cast(other, REMOTE_ADDR="192.0.2.8") == 429  # the voter's, whatever the address


@pytest.mark.django_db(databases=ALL)
def test_the_cast_counts_the_forwarded_address_behind_a_trusted_proxy(cast_world, settings):
    _limits(settings, cast_address=(1, 60))
    settings.URNE_TRUSTED_PROXIES = ["10.0.0.5"]
    body = json.dumps({"scrutin": cast_world.scrutins[0].scrutin.uuid, "ballot": "x"})
    clients = [_logged(v) for v in cast_world.voters]

    def cast(client, forwarded):
        return client.post(
            reverse("booth:cast"), body, content_type="application/json",
            REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=forwarded,
        ).status_code  # fmt: skip

    assert cast(clients[0], "203.0.113.1") == 400
    assert cast(clients[1], "203.0.113.2") == 400  # another address behind the same proxy
    assert cast(clients[1], "203.0.113.1") == 429


@pytest.mark.django_db(databases=ALL)
def test_the_vote_code_check_per_address(cast_world, settings):
    _limits(settings, votecode_address=(2, 300))
    url = reverse("booth:code_confirm")

    def check(client):
        return client.post(url, "{}", content_type="application/json").json()["code"]

    first, second = (_logged(v) for v in cast_world.voters)
    assert check(first) != "rate_limited"
    assert check(second) != "rate_limited"  # the address's second count
    assert check(second) == "rate_limited"  # the address's third count


def test_the_accounts_forms_per_address_and_per_identifier(settings):
    from factories.elections import election_make

    election_make()
    _limits(settings, identify_address=(2, 300), reset_identifier=(2, 300))

    def post(name, email, address):
        return Client().post(reverse(name), {"email": email}, REMOTE_ADDR=address).status_code

    assert post("accounts:login", "a@ac-lyon.fr", "192.0.2.1") == 200
    assert post("accounts:login", "b@ac-lyon.fr", "192.0.2.1") == 200
    assert post("accounts:login", "c@ac-lyon.fr", "192.0.2.1") == 429  # the address's third
    assert post("accounts:reset_request", "a@ac-lyon.fr", "192.0.2.2") == 200
    assert post("accounts:reset_request", "a@ac-lyon.fr", "192.0.2.3") == 200
    assert post("accounts:reset_request", "a@ac-lyon.fr", "192.0.2.4") == 429  # identifier's


def test_the_accounts_captcha_per_address(settings):
    from urne.accounts.captcha import captcha_new

    _limits(settings, captcha=(1, 300))
    request = RequestFactory().get("/")
    request.session = {}
    url = captcha_new(request).image_url
    assert Client().get(url, REMOTE_ADDR="192.0.2.1").status_code == 200
    assert Client().get(url, REMOTE_ADDR="192.0.2.1").status_code == 429
    assert Client().get(url, REMOTE_ADDR="192.0.2.2").status_code == 200


@pytest.mark.django_db(databases=["default", "authority"])  # the world files lists
def test_the_portals_forms_per_address_then_per_voter(settings):
    _limits(settings, assistance=(2, 60))
    w = portal_world_make()
    url = reverse("portal:assistance")
    ok = {"name": "A", "email": "a@ac-lyon.fr", "topic": "other", "message": "m"}
    anonymous = [Client().post(url, ok, REMOTE_ADDR="192.0.2.1").status_code for _ in range(3)]
    assert anonymous == [302, 302, 429]
    assert Client().post(url, ok, REMOTE_ADDR="192.0.2.2").status_code == 302
    # a logged-in voter has their own budget, whatever the address
    logged = _logged(w.voter)
    assert logged.post(url, ok, REMOTE_ADDR="192.0.2.1").status_code == 302


@pytest.mark.django_db(databases=["default", "authority"])  # the world files lists
def test_the_portals_roll_search_per_voter(settings):
    _limits(settings, roll_search=(1, 60))
    w = portal_world_make(phase="rolls")
    client = _logged(w.voter)
    url = reverse("portal:roll", args=[w.scrutins[0].uuid])
    assert client.get(url, {"q": "MAR"}).status_code == 200
    limited = client.get(url, {"q": "MAR"})
    assert limited.status_code == 429 and "Trop de recherches" in limited.content.decode()


@pytest.mark.django_db(databases=["default", "authority"])  # the world files lists
def test_every_voter_facing_limit_counts_in_the_table_nothing_in_clear(settings):
    _limits(settings, identify=(1, 60))
    assert not rate_limited(hits={"identify": "anne.durand@ac-lyon.fr"})
    assert rate_limited(hits={"identify": "anne.durand@ac-lyon.fr"})
    portal_world_make()
    ok = {"name": "A", "email": "a@ac-lyon.fr", "topic": "other", "message": "m"}
    assert (
        Client().post(reverse("portal:assistance"), ok, REMOTE_ADDR="198.51.100.77").status_code
        == 302
    )
    assert RateCounter.objects.count() == 2
    keys = " ".join(RateCounter.objects.values_list("key", flat=True))
    assert "anne" not in keys and "198.51" not in keys


@pytest.mark.django_db(databases=ALL)
def test_the_boards_lookup_per_address(cast_world, settings):
    _limits(settings, board_lookup=(1, 60))
    url = reverse("urn:board", args=[cast_world.scrutins[0].scrutin.uuid])
    tracker = "A" * 43
    assert Client().get(url, {"q": tracker}, REMOTE_ADDR="192.0.2.1").status_code == 200
    assert Client().get(url, {"q": tracker}, REMOTE_ADDR="192.0.2.1").status_code == 429
    assert Client().get(url, {"q": tracker}, REMOTE_ADDR="192.0.2.2").status_code == 200
