"""Writes of the credential authority (docs/architecture.md, "The vote code and the cast").

Codes are never stored: ``codes.derive_code`` recomputes any of them from
``settings.URNE_AUTHORITY_KEY`` and the election's salt. The store keeps, per voter and code
number, a status (active, spare, revoked) and the public credential of each of the voter's
scrutins (ADR 0301)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from urne.audit.services import audit_append
from urne.crypto.credentials import public_credential
from urne.crypto.group import GROUP
from urne.elections.calendar import vote_frozen

from . import codes
from .models import CodeSlot, CredentialSet, PublicCredential, ScrutinSetup

STORE = "authority"
MAX_SPARES = 10
BATCH_VOTERS = 500

Progress = Callable[[int, int], None]


def spares_default() -> int:
    """R, the spare codes each voter gets: the voter's own requests of a new identifier and
    the helpdesk's reserve (`URNE_REPLACEMENT_REQUESTS` + `URNE_REPLACEMENT_RESERVE`, 3 + 1)."""
    return int(settings.URNE_REPLACEMENT_REQUESTS) + int(settings.URNE_REPLACEMENT_RESERVE)


def authority_key() -> bytes:
    return str(settings.URNE_AUTHORITY_KEY).encode()


def code_derive(*, credential_set: CredentialSet, voter_id: int, index: int) -> str:
    """Vote code number ``index`` of a voter (printed form). Only for the notice printer and
    the replacement channel: never logged, never stored."""
    return codes.derive_code(
        authority_key(), salt=credential_set.salt, voter_id=voter_id, index=index
    )


def public_credential_hex(*, scrutin_uuid: str, code: str) -> str:
    """The Belenios public credential of a vote code in a scrutin (hex group element)."""
    return GROUP.element_to_string(public_credential(scrutin_uuid, codes.credential_of_code(code)))


def _scrutins_by_voter(election: Any) -> dict[int, list[str]]:
    """voter id → uuids of the scrutins whose roll holds them (`eligibility.roll_voters`:
    the published roll when there is one, else the computed roll)."""
    from urne.elections.eligibility import roll_voters

    out: dict[int, list[str]] = {}
    for scrutin in election.scrutins.order_by("pk"):
        for vid in roll_voters(scrutin).values_list("pk", flat=True):
            out.setdefault(vid, []).append(scrutin.uuid)
    return out


def credentials_generation_check(*, election: Any, spares: int | None) -> int:
    """The rule of (re)generating the codes: allowed until a scrutin setup has been written to
    the urn (the codes are then frozen), with 0 to 10 spare codes. Returns the spares."""
    if ScrutinSetup.objects.filter(election_id=election.pk).exists():
        raise ValidationError(
            _("Les codes sont figés : la liste des électeurs a déjà été transmise à l'urne.")
        )
    r = spares_default() if spares is None else spares
    if not 0 <= r <= MAX_SPARES:
        raise ValidationError(_("Le nombre de codes de remplacement doit être entre 0 et 10."))
    return r


def credentials_generate_queue(*, election: Any, actor: Any, spares: int | None) -> None:
    """Queue the generation of the codes (a background task, after the commit), once the rule
    of :func:`credentials_generation_check` allows it; the task checks it again when it runs."""
    r = credentials_generation_check(election=election, spares=spares)
    from .tasks import credentials_generate_task

    election_id, actor_id = election.pk, actor.pk
    transaction.on_commit(
        lambda: credentials_generate_task.enqueue(
            election_id=election_id, actor_id=actor_id, spares=r
        )
    )


def credentials_generate(
    *,
    election: Any,
    actor: Any,
    spares: int | None = None,
    progress: Progress | None = None,
) -> CredentialSet:
    """Give every voter on a roll of ``election`` 1 + R codes and record the public
    credential of each code in each of the voter's scrutins. Runs again from scratch (new
    salt, so new codes) as long as no scrutin setup has been written to the urn."""
    r = credentials_generation_check(election=election, spares=spares)
    by_voter = _scrutins_by_voter(election)
    voter_ids = sorted(by_voter)
    key = authority_key()
    with transaction.atomic(using=STORE), transaction.atomic():
        PublicCredential.objects.filter(slot__election_id=election.pk).delete()
        CodeSlot.objects.filter(election_id=election.pk).delete()
        cset, _created = CredentialSet.objects.update_or_create(
            election_id=election.pk,
            defaults={"salt": secrets.token_hex(16), "spares": r, "voters": 0},
        )
        done = 0
        for start in range(0, len(voter_ids), BATCH_VOTERS):
            chunk = voter_ids[start : start + BATCH_VOTERS]
            slots = [
                CodeSlot(
                    election_id=election.pk,
                    voter_id=vid,
                    index=i,
                    status=CodeSlot.Status.ACTIVE if i == 0 else CodeSlot.Status.SPARE,
                )
                for vid in chunk
                for i in range(r + 1)
            ]
            CodeSlot.objects.bulk_create(slots)
            ids = dict(
                ((vid, i), pk)
                for pk, vid, i in CodeSlot.objects.filter(voter_id__in=chunk).values_list(
                    "pk", "voter_id", "index"
                )
            )
            rows = []
            for vid in chunk:
                for i in range(r + 1):
                    credential = codes.credential_of_code(
                        codes.derive_code(key, salt=cset.salt, voter_id=vid, index=i)
                    )
                    for uuid in by_voter[vid]:
                        rows.append(
                            PublicCredential(
                                slot_id=ids[(vid, i)],
                                scrutin_uuid=uuid,
                                credential=GROUP.element_to_string(
                                    public_credential(uuid, credential)
                                ),
                            )
                        )
            PublicCredential.objects.bulk_create(rows, batch_size=2000)
            done += len(chunk)
            if progress is not None:
                progress(done, len(voter_ids))
        cset.voters = len(voter_ids)
        cset.generated_at = timezone.now()
        cset.save(update_fields=["voters", "generated_at"])
        audit_append(
            actor=actor,
            action="authority.credentials_generated",
            data={"election_id": election.pk, "voters": len(voter_ids), "spares": r},
        )
    return cset


def credentials_replace(*, voter: Any, actor: Any, reason: str) -> CodeSlot:
    """Revoke the voter's active code and activate their next spare (docs/architecture.md,
    "Replacements without changing the setup"). Audited; returns the new active slot."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Indiquez le motif du remplacement."))
    if vote_frozen(election_id=voter.election_id):
        # After the freeze nothing changes; the attempt is shown to the bureau.
        audit_append(
            actor=actor, action="authority.code_replace_refused", obj=voter, data={"why": "frozen"}
        )
        raise ValidationError(
            _("Les urnes et les émargements sont figés : aucun code ne peut plus être remplacé.")
        )
    with transaction.atomic(using=STORE), transaction.atomic():
        slots = list(
            CodeSlot.objects.select_for_update().filter(voter_id=voter.pk).order_by("index")
        )
        if not slots:
            raise ValidationError(_("Cet électeur n'a pas encore de code de vote."))
        spare = next((s for s in slots if s.status == CodeSlot.Status.SPARE), None)
        if spare is None:
            raise ValidationError(
                _("Plus aucun code de remplacement pour cet électeur (maximum atteint).")
            )
        revoked = [s.index for s in slots if s.status == CodeSlot.Status.ACTIVE]
        CodeSlot.objects.filter(voter_id=voter.pk, status=CodeSlot.Status.ACTIVE).update(
            status=CodeSlot.Status.REVOKED, changed_at=timezone.now()
        )
        spare.status = CodeSlot.Status.ACTIVE
        spare.save(update_fields=["status", "changed_at"])
        audit_append(
            actor=actor,
            action="authority.code_replaced",
            obj=voter,
            data={"revoked": revoked, "activated": spare.index, "reason": reason},
        )
    return spare


def credentials_confirm(*, voter: Any, public_credentials: dict[str, str]) -> dict[str, bool]:
    """scrutin uuid → whether the given public credential (hex) is ``voter``'s active one
    there (the booth's code check: the browser derived them, the code never came here)."""
    wanted = {uuid: cred.strip().lower() for uuid, cred in public_credentials.items()}
    found = {
        (uuid, cred)
        for uuid, cred in PublicCredential.objects.filter(
            scrutin_uuid__in=list(wanted),
            credential__in=list(wanted.values()),
            slot__voter_id=voter.pk,
            slot__status=CodeSlot.Status.ACTIVE,
        ).values_list("scrutin_uuid", "credential")
    }
    return {uuid: (uuid, cred) in found for uuid, cred in wanted.items()}
