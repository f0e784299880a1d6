"""Writes to the audit log: `audit_append` is called inside every staff write's transaction."""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import GENESIS_HASH, AuditEvent, AuditHead


def event_hash(
    *,
    prev_hash: str,
    seq: int,
    at: str,
    actor_id: int | None,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    data: dict[str, Any],
) -> str:
    body = json.dumps(
        {
            "prev": prev_hash,
            "seq": seq,
            "at": at,
            "actor_id": actor_id,
            "actor": actor,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "data": data,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _actor_fields(actor: Any) -> tuple[int | None, str]:
    if actor is None:
        return None, "system"
    if isinstance(actor, str):
        return None, actor
    return actor.pk, actor.get_username()


def audit_append(
    *,
    actor: Any,
    action: str,
    obj: Any = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain. `actor` is a user, a name (e.g. "system") or None."""
    actor_id, actor_name = _actor_fields(actor)
    object_type = obj._meta.label if obj is not None else ""
    object_id = str(obj.pk) if obj is not None else ""
    # Round-trip through JSON so the hash is computed on exactly what the database keeps.
    payload = json.loads(json.dumps(data or {}, default=str))
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        at = timezone.now()
        seq = head.last_seq + 1
        digest = event_hash(
            prev_hash=head.last_hash,
            seq=seq,
            at=at.isoformat(),
            actor_id=actor_id,
            actor=actor_name,
            action=action,
            object_type=object_type,
            object_id=object_id,
            data=payload,
        )
        event = AuditEvent.objects.create(
            seq=seq,
            at=at,
            actor_id=actor_id,
            actor=actor_name,
            action=action,
            object_type=object_type,
            object_id=object_id,
            data=payload,
            prev_hash=head.last_hash,
            hash=digest,
        )
        head.last_seq, head.last_hash = seq, digest
        head.save(update_fields=["last_seq", "last_hash"])
    return event


def _shown(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def field_changes(obj: Any, new: dict[str, Any]) -> dict[str, list[Any]]:
    """What setting ``new`` (field → value) on ``obj`` changes, field by field: ``[old,
    new]`` (dates in UTC ISO form, decimals as text), for an audit event's ``changes``. A
    value may also be compared to a plain dict key of ``obj`` (``obj`` a dict). The one
    home of the field-level audit (old → new) of every staff page's change."""

    def current(field: str) -> Any:
        return obj[field] if isinstance(obj, dict) else getattr(obj, field)

    return {
        field: [_shown(current(field)), _shown(value)]
        for field, value in new.items()
        if current(field) != value
    }


@dataclass(frozen=True)
class ChainReport:
    events: int
    first_bad_seq: int | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None


def audit_chain_check() -> ChainReport:
    """Recompute every hash in order; report the first event that does not check."""
    prev, expected_seq, count = GENESIS_HASH, 1, 0
    for ev in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        count += 1
        if ev.seq != expected_seq:
            return ChainReport(count, ev.seq, f"missing event before #{ev.seq}")
        if ev.prev_hash != prev:
            return ChainReport(count, ev.seq, "previous hash does not match")
        digest = event_hash(
            prev_hash=prev,
            seq=ev.seq,
            at=ev.at.isoformat(),
            actor_id=ev.actor_id,
            actor=ev.actor,
            action=ev.action,
            object_type=ev.object_type,
            object_id=ev.object_id,
            data=ev.data,
        )
        if digest != ev.hash:
            return ChainReport(count, ev.seq, "content does not match its hash")
        prev, expected_seq = ev.hash, ev.seq + 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != expected_seq - 1 or head.last_hash != prev):
        return ChainReport(count, expected_seq, "events missing at the end of the chain")
    return ChainReport(count, None, "")
