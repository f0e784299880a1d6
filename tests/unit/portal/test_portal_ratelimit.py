import pytest
from django.test import RequestFactory

from urne.portal.ratelimit import rate_limit_hit
from urne.site.models import RateCounter

pytestmark = pytest.mark.django_db  # the counters live in the voter store (ADR 0335)


def test_budget_then_refusal(settings):
    settings.URNE_PORTAL_RATE_LIMITS = {"assistance": (2, 60)}
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.1")
    verdicts = [rate_limit_hit(request=request, form="assistance").allowed for _ in range(3)]
    assert verdicts == [True, True, False]
    other = RequestFactory().post("/", REMOTE_ADDR="192.0.2.2")
    assert rate_limit_hit(request=other, form="assistance").allowed
    # a logged-in voter has their own budget, whatever the address
    assert rate_limit_hit(request=request, form="assistance", voter_id=7).allowed


def test_no_address_in_clear_in_the_key(settings):
    request = RequestFactory().post("/", REMOTE_ADDR="198.51.100.77")
    rate_limit_hit(request=request, form="complaint")
    keys = list(RateCounter.objects.values_list("key", flat=True))
    assert keys and not any("198.51.100.77" in k for k in keys)
