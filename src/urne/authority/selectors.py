"""Reads of the authority store."""

from typing import Literal

from .models import CodeSlot, CredentialSet, PublicCredential, ScrutinSetup

Status = Literal["active", "spare", "revoked"]


def credential_status(*, voter_id: int, scrutin_uuid: str, public_credential: str) -> Status | None:
    """The status of ``public_credential`` (hex) in scrutin ``scrutin_uuid`` when it is one of
    voter ``voter_id``'s; None when it is nobody's or another voter's."""
    row = (
        PublicCredential.objects.filter(
            scrutin_uuid=scrutin_uuid, credential=public_credential.strip().lower()
        )
        .select_related("slot")
        .first()
    )
    if row is None or row.slot.voter_id != voter_id:
        return None
    status: Status = row.slot.status
    return status


def credential_set(*, election_id: int) -> CredentialSet | None:
    return CredentialSet.objects.filter(election_id=election_id).first()


def voter_slots(*, voter_id: int) -> list[CodeSlot]:
    """A voter's code slots, first code first (for the help desk: statuses, never codes)."""
    return list(CodeSlot.objects.filter(voter_id=voter_id).order_by("index"))


def public_credentials_of(*, scrutin_uuid: str) -> list[str]:
    """Every public credential (all codes, active, spare or revoked) of a scrutin."""
    return list(
        PublicCredential.objects.filter(scrutin_uuid=scrutin_uuid).values_list(
            "credential", flat=True
        )
    )


def scrutin_setups(*, election_id: int) -> dict[str, ScrutinSetup]:
    return {s.scrutin_uuid: s for s in ScrutinSetup.objects.filter(election_id=election_id)}
