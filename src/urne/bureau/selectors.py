"""Reads about bureaux and their members."""

from typing import Any

from django.db.models import QuerySet

from urne.elections.models import Election, Scrutin

from .models import Bureau, Member


def bureau_scrutins(bureau: Bureau) -> QuerySet[Scrutin]:
    """The scrutins the bureau covers: those chosen, or all of the election's."""
    chosen = bureau.scrutins.all()
    if chosen.exists():
        return chosen.order_by("pk")
    return Scrutin.objects.filter(election_id=bureau.election_id).order_by("pk")


def bureau_member(user: Any, election: Election) -> Member | None:
    """The member of the election's bureau this staff account is, if any."""
    if not user.is_authenticated:
        return None
    return (
        Member.objects.select_related("bureau", "union")
        .filter(user_id=user.pk, bureau__election=election)
        .first()
    )


def key_holders(bureau: Bureau) -> QuerySet[Member]:
    """The members who hold a part of the key: the president first, then the delegates."""
    return bureau.members.filter(role__in=[Member.Role.PRESIDENT, Member.Role.DELEGATE]).order_by(
        "-role", "pk"
    )


def member_bureaux(user: Any) -> QuerySet[Member]:
    """The bureaux this staff account is a member of (one member row each), for its home."""
    if not user.is_authenticated:
        return Member.objects.none()
    return Member.objects.select_related("bureau__election").filter(user_id=user.pk)
