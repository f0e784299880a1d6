"""The rehearsal (vote d'essai, ADR 0752): before the seal the bureau runs a test vote on the
election's real configuration, gets a report, and wipes it.

For each scrutin, an urn of its own in the urn store (a fresh uuid: nothing is written to the
real urns) with the scrutin's real question and lists, test keys made for the rehearsal (a
president's key and a 2-of-3 delegates' group, as the real bureau's), test voters' credentials;
test ballots cast through the urn's real append, the count through the urn's real steps
(EndBallots, encrypted tally, three partial decryptions, Result), the result compared with the
ballots cast and the archive checked by ``urne-verify``'s verifier. The wipe removes those
urns and shows that the real urns are empty and their archives verify.
"""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from urne.audit.services import audit_append
from urne.authority.setup import QUESTION
from urne.ceremony import SeededRandom, make_ballot, threshold_ceremony
from urne.crypto.credentials import generate_credential, make_public_credentials, public_credential
from urne.crypto.election import HomomorphicQuestion, make_election
from urne.crypto.encoding import dumps
from urne.crypto.tally import (
    combine_factors,
    compute_partial_decryption,
    compute_result,
    result_to_json,
)
from urne.crypto.trustees import Trustee, election_public_key, generate_single_key, trustees_to_json
from urne.elections.models import Election, Scrutin, belenios_uuid
from urne.verify.checks import verify_archive

from .models import Member, Rehearsal
from .seal import SealError, _heads, _member, seal_current

#: Test voters per scrutin (each casts one test ballot; choices cycle through blank and lists).
REHEARSAL_VOTERS = 6
URN = "urn"


def _verify(uuid: str) -> dict[str, Any]:
    """The urn's current archive through urne-verify's verifier."""
    from urne.urn.selectors import urn_archive_bytes

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{uuid}.bel"
        path.write_bytes(urn_archive_bytes(scrutin_uuid=uuid))
        report = verify_archive(str(path), jobs=1)
    return {
        "valid": report.valid,
        "ballots": report.ballots,
        "stage": report.stage,
        "result": report.result,
        "failures": [str(f) for f in report.failures],
    }


def _answers(scrutin: Scrutin) -> tuple[str, ...]:
    """The scrutin's lists as its real setup has them (``authority.setup``: by pk)."""
    return tuple(cl.label for cl in scrutin.lists.order_by("pk"))


def _rehearse(scrutin: Scrutin, voters: int) -> tuple[str, dict[str, Any]]:
    """One scrutin's test vote and count in an urn of its own; (its uuid, its report)."""
    from urne.crypto.ballot import parse_ballot
    from urne.urn.selectors import urn_count_state
    from urne.urn.services import (
        urn_ballot_append,
        urn_count_open,
        urn_partial_decryptions_append,
        urn_results_append,
        urn_setup,
    )

    # Test keys, made here and discarded: never the real holders' keys.
    rnd = SeededRandom(secrets.token_hex(16))
    president_key, president = generate_single_key(rnd.scalar)
    group = threshold_ceremony(3, 2, rnd)
    trustees: list[Trustee] = [president, group.params]
    uuid = belenios_uuid()
    answers = _answers(scrutin)
    election = make_election(
        uuid=uuid,
        name=f"ESSAI – {scrutin.election.name} – {scrutin}",
        description=f"Vote d'essai : {scrutin.body.name} {scrutin.perimeter}".strip(),
        public_key=election_public_key(trustees),
        questions=[HomomorphicQuestion(QUESTION, answers, 1, 1, blank=True)],
    )
    credentials = [generate_credential(rnd.choice) for _ in range(voters)]
    public = make_public_credentials(public_credential(uuid, c) for c in credentials)
    urn_setup(
        scrutin_uuid=uuid,
        election=election.raw,
        trustees=dumps(trustees_to_json(trustees)),
        public_credentials=dumps(public.to_json()),
    )
    expected = [0] * (len(answers) + 1)  # slot 0: blank
    for i, credential in enumerate(credentials):
        choice = i % (len(answers) + 1)
        expected[choice] += 1
        vector = [0] * (len(answers) + 1)
        vector[choice] = 1
        text = dumps(make_ballot(election, credential, [vector], f"{uuid}/{i}").to_json())
        urn_ballot_append(scrutin_uuid=uuid, ballot=parse_ballot(text), ballot_text=text)
    urn_count_open(scrutin_uuid=uuid)
    state = urn_count_state(scrutin_uuid=uuid)
    if state is None:  # pragma: no cover - the count was opened just above
        raise RuntimeError(f"rehearsal urn {uuid} has no count")
    holders = {1: president_key, 2: group.share(1), 3: group.share(2)}
    decryptions = {
        owner: compute_partial_decryption(election, state.tally, key)
        for owner, key in holders.items()
    }
    urn_partial_decryptions_append(
        entries=[(uuid, owner, dumps(pd.to_json())) for owner, pd in decryptions.items()]
    )
    factors = combine_factors(election, state.tally, trustees, decryptions)
    result = compute_result(state.tally, factors, state.total_weight)
    urn_results_append(entries=[(uuid, dumps(result_to_json(result)))])
    verdict = _verify(uuid)
    counted = list(result[0])
    return uuid, {
        "scrutin": str(scrutin),
        "rehearsal_uuid": uuid,
        "lists": list(answers),
        "ballots": voters,
        "expected": expected,
        "counted": counted,
        "result_matches": counted == expected,
        "archive": verdict,
        "ok": counted == expected and verdict["valid"] and verdict["ballots"] == voters,
    }


def rehearsal_run(*, election: Election, actor: Any, voters: int = REHEARSAL_VOTERS) -> Rehearsal:
    """The bureau's president runs the test vote of every scrutin (``_rehearse``) and gets
    its report. Before the seal only; one rehearsal at a time (the last one wiped first)."""
    member = _member(actor, election)
    if member.role != Member.Role.PRESIDENT:
        raise SealError("not_president")
    if seal_current(election) is not None:
        raise SealError("already_sealed")
    if Rehearsal.objects.filter(election=election, wiped_at__isnull=True).exists():
        raise SealError("rehearsal_not_wiped")
    started = timezone.now()
    rehearsal = Rehearsal.objects.create(election=election, started_by=actor, started_at=started)
    urns: dict[str, str] = {}
    scrutins: list[dict[str, Any]] = []
    try:
        for scrutin in election.scrutins.select_related("body", "election").order_by("pk"):
            if not scrutin.lists.exists():
                scrutins.append({"scrutin": str(scrutin), "ok": False, "error": "no_lists"})
                continue
            uuid, report = _rehearse(scrutin, voters)
            urns[scrutin.uuid] = uuid
            scrutins.append(report)
    finally:
        # Recorded even if a step failed, so that the wipe finds every urn made.
        rehearsal.urns = urns
        rehearsal.report = {
            "voters": voters,
            "scrutins": scrutins,
            "ok": bool(scrutins) and all(s["ok"] for s in scrutins),
            "seconds": round((timezone.now() - started).total_seconds(), 2),
        }
        rehearsal.save(update_fields=["urns", "report"])
    audit_append(
        actor=actor,
        action="bureau.rehearsal_run",
        obj=election,
        data={"rehearsal": rehearsal.pk, "ok": rehearsal.report["ok"], "urns": len(urns)},
    )
    return rehearsal


def rehearsal_wipe(*, rehearsal: Rehearsal, actor: Any) -> Rehearsal:
    """Remove every urn of the rehearsal from the urn store, then show what the seal will
    be made over: each real urn empty (no ballot, no count) and its archive verified."""
    from urne.urn.models import UrnScrutin

    election = rehearsal.election
    member = _member(actor, election)
    if member.role != Member.Role.PRESIDENT:
        raise SealError("not_president")
    uuids = list(rehearsal.urns.values())
    with transaction.atomic(using=URN):
        UrnScrutin.objects.using(URN).filter(uuid__in=uuids).delete()
    left = list(UrnScrutin.objects.using(URN).filter(uuid__in=uuids).values_list("uuid", flat=True))
    urns: list[dict[str, Any]] = []
    for scrutin, head in _heads(election):
        if head is None:
            urns.append({"scrutin": str(scrutin), "uuid": scrutin.uuid, "set_up": False})
            continue
        verdict = _verify(scrutin.uuid)
        urns.append(
            {
                "scrutin": str(scrutin),
                "uuid": scrutin.uuid,
                "set_up": True,
                "ballots": head.ballots,
                "empty": head.ballots == 0 and head.count_seq is None,
                "archive": verdict,
            }
        )
    wipe = {
        "rehearsal_urns_left": left,
        "urns": urns,
        "ok": not left
        and all(u.get("empty") and u["archive"]["valid"] for u in urns if u["set_up"]),
    }
    with transaction.atomic():
        rehearsal.wiped_at = timezone.now()
        rehearsal.wipe_report = wipe
        rehearsal.save(update_fields=["wiped_at", "wipe_report"])
        audit_append(
            actor=actor,
            action="bureau.rehearsal_wiped",
            obj=election,
            data={"rehearsal": rehearsal.pk, "ok": wipe["ok"], "removed": len(uuids)},
        )
    return rehearsal
