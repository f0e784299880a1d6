"""The staff authentication rules (ADRs 0510-0512) asked directly: which roles need the
second factor, and the failures under a login name over time (injected clock)."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from factories.elections import staff_make
from urne.backoffice.models import StaffLoginFailure
from urne.backoffice.staff_auth import (
    captcha_required,
    login_failure_record,
    login_failures,
    login_failures_clear,
    second_factor_required,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "needed"),
    [
        ("manager", True),
        ("helpdesk", True),
        ("bureau", True),
        ("delegate", True),
        ("auditor", False),
        (None, False),
    ],
)
def test_who_needs_the_second_factor(role, needed):
    assert second_factor_required(staff_make(role)) is needed


def test_a_superuser_needs_the_second_factor():
    user = get_user_model().objects.create_superuser("root", password="x")  # noqa: S106
    assert second_factor_required(user)


def test_failures_count_bring_the_captcha_and_are_forgotten_a_day_later():
    t = 1_000_000.0
    after = settings.URNE_STAFF_CAPTCHA_AFTER_FAILURES
    for i in range(after - 1):
        login_failure_record(username="Marie", now=t + i)
    assert not captcha_required(username="marie", now=t + after)
    login_failure_record(username=" marie ", now=t + after)  # the same name, any case
    assert login_failures(username="MARIE", now=t + after) == after
    assert captcha_required(username="marie", now=t + after)
    forget = settings.URNE_STAFF_FAILURES_FORGET_SECONDS
    assert not captcha_required(username="marie", now=t + after + forget + 1)
    login_failure_record(username="marie", now=t + after + forget + 2)
    assert login_failures(username="marie", now=t + after + forget + 2) == 1


def test_the_table_never_holds_the_name():
    login_failure_record(username="marie.curie")
    assert "marie" not in StaffLoginFailure.objects.get().key
    login_failures_clear(username="marie.curie")
    assert not StaffLoginFailure.objects.exists()
