"""Reads of the count: the bureau's overview of every scrutin's count, what a holder's browser
decrypts, a proclaimed result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from urne.booth.models import Emargement
from urne.elections.models import Election, Scrutin
from urne.urn.selectors import urn_count_states, urn_head

from .models import DecryptionUpload, ScrutinCount


@dataclass
class ScrutinCountRow:
    scrutin: Scrutin
    ballots: int | None
    emargements: int
    count: ScrutinCount | None
    uploads: list[DecryptionUpload] = field(default_factory=list)


def count_overview(*, election: Election) -> list[ScrutinCountRow]:
    """Per scrutin with an urn: its ballots, its voted émargements, its count and who decrypted
    (the bureau's page; participation figures are the polling station's during the vote)."""
    counts = {c.scrutin_id: c for c in ScrutinCount.objects.filter(scrutin__election=election)}
    uploads: dict[int, list[DecryptionUpload]] = {}
    for u in DecryptionUpload.objects.filter(scrutin__election=election).select_related(
        "uploaded_by"
    ):
        uploads.setdefault(u.scrutin_id, []).append(u)
    rows = []
    for s in election.scrutins.select_related("body").order_by("pk"):
        head = urn_head(scrutin_uuid=s.uuid)
        if head is None:
            continue
        rows.append(
            ScrutinCountRow(
                scrutin=s,
                ballots=head.ballots,
                emargements=Emargement.objects.filter(
                    scrutin=s, state=Emargement.State.VOTED
                ).count(),
                count=counts.get(s.pk),
                uploads=uploads.get(s.pk, []),
            )
        )
    return rows


def browser_decryption_data(*, election: Election) -> dict[str, Any]:
    """What the count page's holder section needs (ADR 0805): each scrutin still to decrypt
    (count open, no result yet) with its published archive's address and the encrypted tally
    the server holds, which the browser compares with its own product of the archive's
    ballots before it decrypts anything."""
    counts = ScrutinCount.objects.filter(
        scrutin__election=election, state=ScrutinCount.State.COUNTING
    ).select_related("scrutin__body")
    by_uuid = {c.scrutin.uuid: c.scrutin for c in counts}
    states = urn_count_states(scrutin_uuids=sorted(by_uuid))
    return {
        "scrutins": [
            {
                "uuid": uuid,
                "name": str(by_uuid[uuid]),
                "archive": reverse("urn:archive", args=[uuid]),
                "tally": state.tally_text,
            }
            for uuid, state in sorted(states.items())
            if state.result is None
        ]
    }


def proclaimed_result(*, scrutin: Scrutin) -> ScrutinCount | None:
    """The scrutin's count once proclaimed (public from then on), else None."""
    return ScrutinCount.objects.filter(scrutin=scrutin, state=ScrutinCount.State.PROCLAIMED).first()


def result_rows(count: ScrutinCount) -> list[dict[str, Any]]:
    """One row per list of a proclaimed result: name, votes, share (%), seats."""
    figures = count.figures or {}
    return [
        {
            "name": lst["name"],
            "votes": lst["votes"],
            "share_percent": lst["share_percent"],
            "seats": lst["seats"],
        }
        for lst in figures.get("lists", [])
    ]
