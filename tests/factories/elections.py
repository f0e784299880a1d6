"""Factories for platform tests (plain functions over the services: no fixture files)."""

import itertools
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

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


def election_make(**kw: Any) -> Election:
    return election_create(actor="factory", name=kw.pop("name", "Test 2018"), **kw)


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
