"""The recount (ADR 0802): every result and its seats recomputed from the published archives
alone and compared with what the bureau proclaimed. Behind ``manage.py count_recount``.

From each archive: every check of ``urne-verify`` (``verify_archive``: the chain, every
ballot, the tally, every partial decryption, the Result), then the result recomputed here
from its EncryptedTally and PartialDecryption events (combination and discrete logs, §8),
which must equal both the archive's Result and the proclaimed counts; then the seats
recomputed by ``urne.counting`` from those counts, the scrutin's seats and the seed the
bureau gave, which must equal the proclaimed seats.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from urne.crypto.archive import events_with_data, read_records
from urne.crypto.election import parse_election
from urne.crypto.encoding import loads
from urne.crypto.tally import (
    PartialDecryption,
    combine_factors,
    compute_result,
    parse_result,
    parse_sized_tally,
    tally_of_json,
)
from urne.crypto.trustees import parse_trustees
from urne.elections.models import Election
from urne.urn.selectors import urn_archive_bytes
from urne.verify.checks import verify_archive

from .models import ScrutinCount
from .services import _figures


@dataclass(frozen=True)
class Recounted:
    scrutin: str
    uuid: str
    # "" when everything matches, else what differs
    difference: str
    counts: list[int] | None


def archive_counts(data: bytes) -> tuple[tuple[str, ...], list[int], list[int] | None]:
    """(answers, counts recomputed from the tally and the partial decryptions, the archive's
    own Result) of a counted archive (§7, §8)."""
    events = events_with_data(read_records(data))
    setup = events[0][1]
    election = parse_election(setup[0].body.decode())
    trustees = parse_trustees(loads(setup[1].body))
    tally = total = None
    decryptions: dict[int, PartialDecryption] = {}
    published = None
    for event, records in events:
        if event.type == "EncryptedTally":
            tally = tally_of_json(loads(records[0].body))
            total = parse_sized_tally(loads(records[1].body))[1]
        elif event.type == "PartialDecryption":
            owner = loads(records[1].body)["owner"]
            decryptions[int(owner)] = PartialDecryption.of_json(loads(records[0].body))
        elif event.type == "Result":
            published = parse_result(loads(records[0].body))[0]
    if tally is None or total is None:
        raise ValueError("the archive has no encrypted tally")
    factors = combine_factors(election, tally, trustees, decryptions)
    counts = compute_result(tally, factors, total)[0]
    return election.questions[0].answers, counts, published


def recount(*, election: Election, archives: Path | None = None) -> Iterator[Recounted]:
    """Each proclaimed scrutin of ``election`` recounted from its archive: the file
    ``archives/<uuid>.bel`` when a folder is given (the published copies), else the urn's."""
    rows = (
        ScrutinCount.objects.filter(scrutin__election=election, state=ScrutinCount.State.PROCLAIMED)
        .select_related("scrutin__body")
        .order_by("scrutin__pk")
    )
    for row in rows:
        scrutin = row.scrutin
        uuid = scrutin.uuid
        if archives is not None:
            path = archives / f"{uuid}.bel"
            if not path.is_file():
                yield Recounted(str(scrutin), uuid, f"no archive {path.name}", None)
                continue
            data = path.read_bytes()
        else:
            data = urn_archive_bytes(scrutin_uuid=uuid)
        with tempfile.TemporaryDirectory() as tmp:
            file = Path(tmp) / f"{uuid}.bel"
            file.write_bytes(data)
            report = verify_archive(str(file), jobs=1)
        if not report.valid:
            failures = "; ".join(str(f) for f in report.failures[:3])
            yield Recounted(str(scrutin), uuid, f"the archive does not verify: {failures}", None)
            continue
        try:
            answers, counts, published = archive_counts(data)
        except ValueError as exc:
            yield Recounted(str(scrutin), uuid, str(exc), None)
            continue
        differences = []
        if published != counts:
            differences.append(f"archive's Result {published} ≠ recomputed {counts}")
        if counts != row.counts:
            differences.append(f"proclaimed {row.counts} ≠ recomputed {counts}")
        figures = _figures(scrutin, counts, answers, row.seed)
        if row.figures is None or figures["seats"] != row.figures.get("seats"):
            proclaimed = None if row.figures is None else row.figures.get("seats")
            differences.append(f"proclaimed seats {proclaimed} ≠ recomputed {figures['seats']}")
        yield Recounted(str(scrutin), uuid, "; ".join(differences), counts)
