"""The audit log: append-only, hash-chained (ADR 0101).

Each event's hash covers the previous event's hash and the event's own fields, so editing or
removing any past event breaks every later hash; `manage.py audit_check` recomputes the chain.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete a recorded audit event."""


class AuditEvent(models.Model):
    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True)  # not a FK: the log outlives staff accounts
    actor = models.CharField(max_length=150)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("événement d'audit")
        verbose_name_plural = _("événements d'audit")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.actor}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit events are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events are never deleted")


class AuditHead(models.Model):
    """A single row locked by each append, so concurrent appends form one chain."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("tête de chaîne d'audit")

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"
