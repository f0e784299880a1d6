"""The demo's bureau (``manage.py demo_setup``): the demo accounts ``bureau`` and
``delegate`` are the demo election's president and a delegate, as if they had accepted their
invitations (ADR 0700), so that the bureau's pages open for them (``bureau_pages_allowed``,
ADR 0702). Demo only: a real member makes their own access from the e-mailed link."""

from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from urne.elections.models import Election, Union

from .members import bureau_of, unions_with_a_list
from .models import Member


def bureau_demo(*, election: Election) -> list[Member]:
    """Bind the demo's ``bureau`` account as president and ``delegate`` as the delegate of
    the first union with a list (each once; an account already bound is left as it is)."""
    users: Any = get_user_model().objects
    bureau = bureau_of(election)
    union = unions_with_a_list(election).first()
    wanted: list[tuple[str, str, Union | None]] = [("bureau", Member.Role.PRESIDENT, None)]
    if union is not None:
        wanted.append(("delegate", Member.Role.DELEGATE, union))
    members = []
    for username, role, member_union in wanted:
        user = users.filter(username=username).first()
        if user is None:
            continue
        existing = Member.objects.filter(user=user).first()
        if existing is not None:
            members.append(existing)
            continue
        member, _ = Member.objects.get_or_create(
            bureau=bureau,
            role=role,
            union=member_union,
            defaults={
                "name": f"Demo {username}",
                "email": f"{username}@demo.invalid",
                "user": user,
                "joined_at": timezone.now(),
            },
        )
        members.append(member)
    return members
