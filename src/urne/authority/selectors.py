"""Reads of the authority store."""

from typing import Literal

from django.db import router

from urne.audit.models import AuditEvent
from urne.site.hot_sql import hot_cursor

from .models import CodeSlot, CredentialSet, PublicCredential, ReassortGrant, ScrutinSetup

Status = Literal["active", "spare", "revoked"]


def credential_status(*, voter_id: int, scrutin_uuid: str, public_credential: str) -> Status | None:
    """The status of ``public_credential`` (hex) in scrutin ``scrutin_uuid`` when it is one of
    voter ``voter_id``'s; None when it is nobody's or another voter's. One plain statement:
    it is on the cast's hot path, where the ORM's query building cost more CPU than the
    lookup (ADR 0333)."""
    sql = (
        f"SELECT s.voter_id, s.status FROM {PublicCredential._meta.db_table} p "  # noqa: S608
        f"JOIN {CodeSlot._meta.db_table} s ON s.id = p.slot_id "
        "WHERE p.scrutin_uuid = %s AND p.credential = %s"
    )
    with hot_cursor(router.db_for_read(PublicCredential)) as cur:
        cur.execute(sql, [scrutin_uuid, public_credential.strip().lower()])
        row = cur.fetchone()
    if row is None or row[0] != voter_id:
        return None
    status: Status = row[1]
    return status


def voter_credentials(*, voter_id: int, scrutin_uuid: str) -> list[str]:
    """Every public credential of voter ``voter_id`` in scrutin ``scrutin_uuid``, whatever
    its status (the one that voted may have been revoked since)."""
    return list(
        PublicCredential.objects.filter(
            scrutin_uuid=scrutin_uuid, slot__voter_id=voter_id
        ).values_list("credential", flat=True)
    )


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


def notices_downloads(*, election_id: int) -> dict[int, AuditEvent]:
    """Batch number → the audit event of its last download of notices (the audit log is
    where a download is recorded: the PDFs themselves are not kept, ADR 0302)."""
    return {
        e.data.get("batch"): e
        for e in AuditEvent.objects.filter(
            action="authority.notices_downloaded", object_id=str(election_id)
        ).order_by("seq")
    }


def replacement_codes_issued(*, election_id: int) -> dict[int, int]:
    """Voter id → how many replacement codes were issued to them in ``election_id`` (a spare
    code made active, then possibly revoked by a later one; index 0 is the notice's code, not
    a replacement). Few voters ask for one, so this is small; a scrutin's PV counts its roll's
    share (``count.pv_sources.scrutin_replacement_codes``)."""
    issued: dict[int, int] = {}
    for voter_id in CodeSlot.objects.filter(
        election_id=election_id,
        index__gt=0,
        status__in=[CodeSlot.Status.ACTIVE, CodeSlot.Status.REVOKED],
    ).values_list("voter_id", flat=True):
        issued[voter_id] = issued.get(voter_id, 0) + 1
    return issued


def reassort_requests(*, voter_id: int) -> list[ReassortGrant]:
    """The voter's réassort grants, newest first, for the helpdesk: the way, when, and
    whether used or expired (their token is not kept; the code never was)."""
    return list(ReassortGrant.objects.filter(voter_id=voter_id).order_by("-created_at")[:20])
