from django.core.cache import cache
from django.test import RequestFactory

from urne.portal.ratelimit import rate_limit_hit


def test_budget_then_refusal(settings):
    cache.clear()
    settings.URNE_PORTAL_RATE_LIMITS = {"assistance": (2, 60)}
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.1")
    verdicts = [rate_limit_hit(request=request, form="assistance").allowed for _ in range(3)]
    assert verdicts == [True, True, False]
    other = RequestFactory().post("/", REMOTE_ADDR="192.0.2.2")
    assert rate_limit_hit(request=other, form="assistance").allowed
    # a logged-in voter has their own budget, whatever the address
    assert rate_limit_hit(request=request, form="assistance", voter_id=7).allowed
    cache.clear()


def test_no_address_in_clear_in_the_key(settings):
    cache.clear()
    request = RequestFactory().post("/", REMOTE_ADDR="198.51.100.77")
    rate_limit_hit(request=request, form="complaint")
    keys = list(cache._cache.keys())  # LocMemCache
    assert keys and not any("198.51.100.77" in k for k in keys)
    cache.clear()
