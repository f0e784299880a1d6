"""The demo's count (``make demo-count``, after ``make demo``): the vote closed, a few hundred
random valid ballots cast first through the real cast service if the urns are nearly empty,
the count opened, each demo holder's partial decryptions made by ``urne-trustee
decrypt-bureau`` from the urns' archives with the demo keys of ``var/demo-trustees/``, the
uploads, and the bureau's proclamation. Demo only: real keys never reach the server."""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from urne.authority.codes import credential_of_code
from urne.authority.models import CredentialSet
from urne.authority.services import code_derive
from urne.booth.services import CastError, cast_submit
from urne.crypto.ballot import create_ballot
from urne.crypto.credentials import derive_secret
from urne.elections.calendar import grace_period
from urne.elections.eligibility import voter_scrutins
from urne.elections.models import Election, Voter
from urne.trustee_cli import main as trustee_main
from urne.urn.selectors import urn_archive_bytes, urn_election, urn_head

from .models import ScrutinCount
from .services import count_open, decryptions_upload, result_proclaim


def _holder(name: str, role: str) -> Any:
    user, _ = get_user_model().objects.get_or_create(username=name, defaults={"is_staff": True})
    if not user.groups.filter(name=role).exists():
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=role))
    return user


def demo_ballots_cast(
    *, election: Election, wanted: int, seed: int, log: Callable[[str], Any]
) -> int:
    """Random valid ballots (blank about 5 %) of voters who have not voted, through
    ``cast_submit``, until the urns hold ``wanted`` ballots; returns how many were cast."""
    heads = [urn_head(scrutin_uuid=s.uuid) for s in election.scrutins.all()]
    have = sum(h.ballots for h in heads if h is not None)
    if have >= wanted:
        return 0
    cset = CredentialSet.objects.filter(election_id=election.pk).first()
    if cset is None:
        return 0
    rng = random.Random(seed)  # noqa: S311 - the demo voters' choices, not a secret
    cast = 0
    voters = Voter.objects.filter(election=election, roll_entries__isnull=False).distinct()
    for voter in voters.order_by("?")[: wanted * 2]:
        code = code_derive(credential_set=cset, voter_id=voter.pk, index=0)
        credential = credential_of_code(code)
        for scrutin in voter_scrutins(voter):
            crypto = urn_election(scrutin_uuid=scrutin.uuid)
            if crypto is None:
                continue
            size = crypto.questions[0].size
            vector = [0] * size
            vector[0 if rng.random() < 0.05 else rng.randrange(1, size)] = 1
            ballot = create_ballot(crypto, derive_secret(scrutin.uuid, credential), [vector])
            try:
                cast_submit(voter_id=voter.pk, scrutin_uuid=scrutin.uuid, ballot=ballot.to_string())
            except CastError:
                continue
            cast += 1
        if have + cast >= wanted:
            break
    log(f"  {cast} ballots cast through the cast service")
    return cast


def demo_count(*, ballots: int = 300, seed: int = 2018, log: Callable[[str], Any]) -> list[str]:
    """The whole count of the demo election; returns the lines to print."""
    election = Election.objects.order_by("pk").first()
    if election is None:
        raise ValueError("no demo election: run `make demo` first")
    keys = Path(settings.VAR_DIR) / "demo-trustees" / str(election.pk)
    president = sorted(keys.glob("*.privkey"))
    if not president:
        raise ValueError(f"no demo trustee keys in {keys}")
    now = timezone.now()
    if (
        election.vote_opens
        and election.vote_opens <= now
        and not ScrutinCount.objects.filter(scrutin__election=election).exists()
    ):
        demo_ballots_cast(election=election, wanted=ballots, seed=seed, log=log)
    if election.vote_closes is None or election.vote_closes + grace_period() > now:
        log("Closing the demo vote…")
        election.vote_closes = now - grace_period() - timedelta(seconds=1)
        if election.vote_opens is None or election.vote_opens > election.vote_closes:
            election.vote_opens = election.vote_closes - timedelta(days=7)
        election.save(update_fields=["vote_opens", "vote_closes"])
    if election.vote_frozen_at is None:
        from urne.bureau.control import vote_freeze

        log("Freezing the urns, the émargements and the counters…")
        vote_freeze(election=election)
        election.refresh_from_db()
    bureau = _holder("bureau", "bureau")
    opening = count_open(election=election, actor=bureau)
    for error in opening.refused.values():
        log(f"  refused: {error}")
    log(f"Count opened: {len(opening.opened)} scrutins.")
    holders = [
        (bureau, ["--privkey", str(president[0])]),
        (_holder("delegate", "delegate"), ["--key", str(keys / "delegate-1.key"),
         "--decryption-key", str(keys / "delegate-1.dkey")]),
        (_holder("delegate2", "delegate"), ["--key", str(keys / "delegate-2.key"),
         "--decryption-key", str(keys / "delegate-2.dkey")]),
    ]  # fmt: skip
    counting = [
        c.scrutin.uuid
        for c in ScrutinCount.objects.filter(
            scrutin__election=election, state=ScrutinCount.State.COUNTING
        ).select_related("scrutin")
    ]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "bureau"
        folder.mkdir()
        for uuid in counting:
            (folder / f"{uuid}.bel").write_bytes(urn_archive_bytes(scrutin_uuid=uuid))
        for n, (user, args) in enumerate(holders):
            if not counting:
                break
            out = Path(tmp) / f"holder-{n}.json"
            if trustee_main(["decrypt-bureau", str(folder), *args, "--out", str(out)]) != 0:
                raise ValueError("urne-trustee decrypt-bureau failed")
            done = decryptions_upload(election=election, actor=user, content=out.read_bytes())
            log(f"  {user.get_username()}: {len(done.accepted)} decryptions accepted")
    lines = []
    for c in (
        ScrutinCount.objects.filter(scrutin__election=election)
        .select_related("scrutin__body")
        .order_by("scrutin__pk")
    ):
        if c.state == ScrutinCount.State.RESULT:
            c = result_proclaim(scrutin=c.scrutin, actor=bureau, seed=f"demo-{seed}")
        seats = (c.figures or {}).get("seats", {})
        lines.append(f"{c.scrutin}: {c.get_state_display()}, counts {c.counts}, seats {seats}")
    proclaimed = sum(1 for line in lines if "proclamé" in line)
    lines.append(f"{proclaimed} of {len(lines)} scrutins proclaimed.")
    return lines
