"""The rate limits' counter (ADR 0335), through the cast's limits: one statement counts every
key of a request in a fixed window shared by all web processes; keys never in clear; old
counters purged; the accounts', portal's and board's limits count there too."""

import pytest
from django.db import connections

from urne.booth.ratelimit import cast_rate_limited
from urne.site.models import RateCounter
from urne.site.ratelimit import rate_counters_purge

pytestmark = pytest.mark.django_db

T0 = 1_800_000_000  # a window boundary for 60 and 300 s


def _hit(now: float, voter: str = "a1", address: str = "10.0.0.1") -> bool:
    return cast_rate_limited(hits={"cast_voter": voter, "cast_address": address}, now=now)


def test_over_the_voters_limit_in_its_window_then_a_new_window(settings):
    settings.URNE_CAST_RATE_LIMITS = {"cast_voter": (3, 300)}
    assert [_hit(T0 + i) for i in range(5)] == [False, False, False, True, True]
    assert _hit(T0 + 300) is False  # the next window starts again from one
    assert _hit(T0 + 301, voter="a2") is False  # another voter, same address


def test_over_the_address_limit(settings):
    settings.URNE_CAST_RATE_LIMITS = {"cast_address": (2, 60)}
    got = [_hit(T0 + i, voter=f"a{i}") for i in range(4)]
    assert got == [False, False, True, True]


def test_both_counted_in_one_statement_and_nothing_in_clear(django_assert_num_queries):
    with django_assert_num_queries(0 if connections["default"].vendor == "postgresql" else 1):
        _hit(T0, voter="a42", address="192.168.1.77")  # prepared statements bypass the log
    keys = list(RateCounter.objects.values_list("key", "count"))
    assert len(keys) == 2 and all(count == 1 for _, count in keys)
    assert not any("42" in k or "192.168" in k for k, _ in keys)


def test_purge_drops_old_counters_only():
    _hit(T0)
    _hit(T0 + 86400 * 2, voter="a9", address="10.9.9.9")
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


def test_every_voter_facing_limit_counts_in_the_table(rf, settings):
    from urne.accounts.ratelimit import rate_limit_hit as accounts_hit
    from urne.portal.ratelimit import rate_limit_hit as portal_hit

    settings.URNE_RATE_LIMITS = {**settings.URNE_RATE_LIMITS, "identify": (1, 60)}
    assert not accounts_hit(scope="identify", key="anne.durand@ac-lyon.fr")
    assert accounts_hit(scope="identify", key="anne.durand@ac-lyon.fr")
    request = rf.post("/", REMOTE_ADDR="198.51.100.77")
    assert portal_hit(request=request, form="assistance").allowed
    assert RateCounter.objects.count() == 2
    keys = " ".join(RateCounter.objects.values_list("key", flat=True))
    assert "anne" not in keys and "198.51" not in keys
