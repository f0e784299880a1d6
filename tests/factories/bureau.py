"""Bureau factories: a member of an election's bureau, bound to a staff account as an
accepted invitation binds it (``urne.bureau.members.invitation_accept``)."""

from typing import Any

from django.utils import timezone

from factories.elections import staff_make
from urne.bureau.members import bureau_of
from urne.bureau.models import Member
from urne.elections.models import Election, Union

_ROLE_GROUP = {"president": "bureau", "secretary": "bureau", "delegate": "delegate"}


def member_make(
    election: Election,
    role: str = "president",
    *,
    user: Any = None,
    union: Union | None = None,
    name: str = "",
    joined: bool = True,
) -> Member:
    """A member of ``election``'s bureau; with ``joined``, with a staff account of the role's
    group (``user``, or a new one). A delegate without ``union`` gets a union of its own."""
    bureau = bureau_of(election)
    if role == "delegate" and union is None:
        n = Union.objects.filter(election=election).count()
        union = Union.objects.create(election=election, name=f"Union {n}", acronym=f"U{n}")
    if joined and user is None:
        user = staff_make(_ROLE_GROUP[role])
    count = Member.objects.filter(bureau=bureau).count()
    return Member.objects.create(
        bureau=bureau,
        role=role,
        union=union,
        name=name or f"{role.title()} {count}",
        email=f"{role}{count}.{bureau.pk}@ac-test.fr",
        user=user if joined else None,
        joined_at=timezone.now() if joined else None,
    )


def bureau_holders(election: Election, delegates: int = 2) -> list[Any]:
    """The staff accounts of a president and ``delegates`` delegates of ``election``'s bureau,
    the president first (the count's holders)."""
    members = [member_make(election, "president")]
    members += [member_make(election, "delegate") for _ in range(delegates)]
    return [m.user for m in members]
