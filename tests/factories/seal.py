"""Seal factories: an election ready to be sealed through the real path (codes generated,
urns set up from the bureau's keys, rolls published), its bureau (a president, a secretary and
three delegates, each with their own staff account), a rehearsal run and wiped, the seal
computed and confirmed by the president and two delegates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from factories.authority import booth_election_make
from factories.elections import staff_make
from urne.bureau.models import Bureau, Member, Rehearsal, Seal
from urne.bureau.rehearsal import rehearsal_run, rehearsal_wipe
from urne.bureau.seal import seal_compute, seal_confirm
from urne.elections.models import Union
from urne.elections.services import rolls_publish


@dataclass
class SealWorld:
    election: Any
    scrutins: list[Any]
    voters: list[Any]
    president: Any
    secretary: Any
    delegates: list[Any] = field(default_factory=list)

    def members(self) -> list[Any]:
        return [self.president, *self.delegates]


def bureau_make(election: Any, delegates: int = 3) -> tuple[Any, Any, list[Any]]:
    """The election's bureau; (president, secretary, delegates) as staff users."""
    bureau = Bureau.objects.create(election=election)
    president = staff_make("bureau")
    Member.objects.create(
        bureau=bureau,
        role=Member.Role.PRESIDENT,
        name="Présidente",
        email="p@x.fr",
        user=president,
    )
    secretary = staff_make("bureau")
    Member.objects.create(
        bureau=bureau,
        role=Member.Role.SECRETARY,
        name="Secrétaire",
        email="s@x.fr",
        user=secretary,
    )
    users = []
    for n in range(delegates):
        union = Union.objects.create(election=election, name=f"Union {n}", acronym=f"U{n}")
        user = staff_make("delegate")
        Member.objects.create(
            bureau=bureau,
            role=Member.Role.DELEGATE,
            union=union,
            name=f"Délégué {n}",
            email=f"d{n}@x.fr",
            user=user,
        )
        users.append(user)
    return president, secretary, users


def seal_world_make(
    *, voters: int = 3, rehearsed: bool = True, real_rehearsal: bool = False, window: str = "before"
) -> SealWorld:
    """An election before its vote, ready to seal. ``rehearsed``: a rehearsal recorded as
    run and wiped (``real_rehearsal``: run and wiped through the services)."""
    election, scrutins, people, _ = booth_election_make(voters=voters, window=window)
    rolls_publish(actor="tests", election=election)
    election.refresh_from_db()
    president, secretary, delegates = bureau_make(election)
    world = SealWorld(election, scrutins, people, president, secretary, delegates)
    if real_rehearsal:
        rehearsal_wipe(rehearsal=rehearsal_run(election=election, actor=president), actor=president)
    elif rehearsed:
        from django.utils import timezone

        Rehearsal.objects.create(
            election=election, started_at=timezone.now(), wiped_at=timezone.now()
        )
    return world


def seal_make(world: SealWorld) -> Seal:
    """The seal computed by the president and confirmed by the president and two delegates."""
    seal = seal_compute(election=world.election, actor=world.president)
    for user in (world.president, *world.delegates[:2]):
        seal = seal_confirm(seal=seal, actor=user)
    seal.refresh_from_db()
    assert seal.sealed_at is not None
    return seal


def seal_record_make(election: Any) -> Seal:
    """A seal that took effect, as a row only (what ``seal.election_sealed`` reads), for the
    tests of what the seal forbids afterwards."""
    from django.utils import timezone

    now = timezone.now()
    return Seal.objects.create(
        election=election, fingerprint="0" * 64, manifest="{}", computed_at=now, sealed_at=now
    )
