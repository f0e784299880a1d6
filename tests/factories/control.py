"""The polling station for the control and participation tests: a bureau with its president
and two delegates, each with a staff account (role ``bureau`` or ``delegate``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from factories.elections import staff_make
from urne.bureau.models import Bureau, Member
from urne.elections.models import Election


@dataclass
class BureauWorld:
    bureau: Bureau
    president: Member
    delegates: list[Member]

    @property
    def members(self) -> list[int]:
        return [self.president.pk, *(d.pk for d in self.delegates)]

    @property
    def user(self) -> Any:
        return self.president.user


def bureau_make(election: Election) -> BureauWorld:
    bureau = Bureau.objects.create(election=election)
    president = Member.objects.create(
        bureau=bureau,
        role=Member.Role.PRESIDENT,
        name="Claire Président",
        email="president@ac-test.fr",
        user=staff_make("bureau"),
    )
    delegates = [
        Member.objects.create(
            bureau=bureau,
            role=Member.Role.DELEGATE,
            name=f"Délégué {i}",
            email=f"delegue{i}@ac-test.fr",
            user=staff_make("delegate"),
        )
        for i in (1, 2)
    ]
    return BureauWorld(bureau=bureau, president=president, delegates=delegates)
