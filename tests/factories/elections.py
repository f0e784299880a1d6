"""Factories for platform tests (plain functions over the services: no fixture files)."""

import itertools
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from urne.elections.models import Body, Election, Scrutin, Voter, VoterCategory
from urne.elections.services import election_create, scrutin_create

_seq = itertools.count(1)


def numen_make(n: int | None = None) -> str:
    n = next(_seq) if n is None else n
    return f"{n % 100:02d}E{n:07d}ABC"


def staff_make(role: str | None, username: str | None = None) -> Any:
    user = get_user_model().objects.create_user(
        username=username or f"{role or 'nobody'}{next(_seq)}",
        password="x",  # noqa: S106 - test accounts
        is_staff=True,
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def staff_login(client: Any, user: Any) -> Any:
    """Log ``user`` in on the test ``client`` as the back office's two steps would: the
    session (``force_login``) and, for a role that needs it, a confirmed TOTP device verified
    in that session (``urne.backoffice.staff_auth``). Returns the device, or None."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from urne.backoffice.staff_auth import second_factor_required

    client.force_login(user)
    if not second_factor_required(user):
        return None
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def election_make(**kw: Any) -> Election:
    return election_create(actor="factory", name=kw.pop("name", "Test 2018"), **kw)


def vote_window(window: str = "open") -> dict[str, datetime]:
    """The vote's dates of a test election whose vote is open now (opened an hour ago, for a
    week), not yet open ("before": opens tomorrow) or over ("after": closed a day ago)."""
    now = timezone.now()
    opens = {"open": now - timedelta(hours=1), "before": now + timedelta(days=1)}.get(
        window, now - timedelta(days=8)
    )
    return {"vote_opens": opens, "vote_closes": opens + timedelta(days=7)}


def election_open_make(*, window: str = "open", **kw: Any) -> Election:
    """The one builder of an election around its vote (``vote_window``): the booth's
    (``factories.authority.booth_election_make``) and the cast's
    (``factories.booth.cast_setup_make``) both start from it."""
    return election_make(**vote_window(window), **kw)


def body(election: Election, code: str) -> Body:
    return Body.objects.get(election=election, code=code)


def scrutin_make(election: Election, code: str, perimeter: str = "", **kw: Any) -> Scrutin:
    return scrutin_create(actor="factory", body=body(election, code), perimeter=perimeter, **kw)


def voter_make(
    election: Election,
    category: str = "PE et instituteur",
    *,
    academie: str = "Lyon",
    departement: str = "69",
    civility: str = "F",
    **kw: Any,
) -> Voter:
    n = next(_seq)
    return Voter.objects.create(
        election=election,
        numen=kw.pop("numen", numen_make(n)),
        civility=civility,
        last_name=kw.pop("last_name", f"NOM{n}"),
        first_name=kw.pop("first_name", "Camille"),
        birth_date=date(1980, 1, 1),
        email=f"v{n}@ac-lyon.fr",
        category=VoterCategory.objects.get(election=election, name=category),
        academie=academie,
        departement=departement,
        **kw,
    )
