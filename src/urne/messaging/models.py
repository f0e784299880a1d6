"""The outbox (ADR 0204). A row holds only metadata: which template, for which voter, its state.
Secrets (links with tokens, later vote codes) are composed at send time by the template's
composer and never stored; the sent body is not kept.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from urne.elections.models import Election, Voter


class Campaign(models.Model):
    """A batched, resumable mailing of one template to every voter of an election."""

    class State(models.TextChoices):
        READY = "ready", _("prête")
        RUNNING = "running", _("en cours")
        PAUSED = "paused", _("suspendue")
        DONE = "done", _("terminée")

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    template = models.CharField(_("modèle"), max_length=60)
    state = models.CharField(max_length=10, choices=State.choices, default=State.READY)
    total = models.PositiveIntegerField(default=0)
    # Resumable: the last voter id already turned into outbox rows.
    cursor = models.BigIntegerField(default=0)
    queued = models.PositiveIntegerField(default=0)
    started_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("campagne d'envoi")
        verbose_name_plural = _("campagnes d'envoi")

    def __str__(self) -> str:
        return f"{self.template} ({self.election_id})"


class OutboxMessage(models.Model):
    class State(models.TextChoices):
        READY = "ready", _("à envoyer")
        SENDING = "sending", _("en cours d'envoi")
        SENT = "sent", _("envoyé")
        FAILED = "failed", _("échec")

    template = models.CharField(_("modèle"), max_length=60)
    # Null only for a message to someone who is no known voter: the answer to an assistance
    # request written without logging in goes to the address the request gave.
    voter = models.ForeignKey(
        Voter, on_delete=models.CASCADE, related_name="messages", null=True, blank=True
    )
    # db_index=False: the (campaign, state) index below serves lookups by campaign.
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        db_index=False,
    )
    language = models.CharField(max_length=8, default="fr")
    # What the composer needs beyond the voter, ids only (the cast receipt's scrutin, ADR
    # 0586; the answered assistance request or complaint): never a secret, a tracker or a text.
    metadata = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.READY)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # The error class and SMTP code only: never the message or the recipient's address.
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["campaign", "state"]),
        ]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.template} → {self.voter_id} ({self.state})"


class SmsMessage(models.Model):
    """The SMS outbox (ADR 0600): which kind of SMS, for which voter, with what metadata (ids,
    an index: never a code or a text), its state and the gateway's answers. The number is
    here only sealed, and only until the gateway takes the message (ADR 0601); the text is
    composed at send time by the kind's composer and kept nowhere."""

    class State(models.TextChoices):
        READY = "ready", _("à envoyer")
        SENDING = "sending", _("en cours d'envoi")
        SENT = "sent", _("accepté par l'opérateur")
        FAILED = "failed", _("échec")
        # Written to the gateway, its answer never came (a crash, a cut line): it may have
        # gone out, so it is never sent again (at most once, ADR 0600).
        UNCERTAIN = "uncertain", _("envoi incertain")

    kind = models.CharField(_("type"), max_length=60)
    voter = models.ForeignKey(Voter, on_delete=models.CASCADE, related_name="sms_messages")
    metadata = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=8, default="fr")
    recipient_sealed = models.BinaryField(null=True, editable=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.READY)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # The error's class or SMPP status only: never the number or the text.
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sending_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    gateway_id = models.CharField(max_length=65, blank=True, db_index=True)
    # The delivery receipt (deliver_sm): its state (DELIVRD, UNDELIV…) and when it came.
    receipt_state = models.CharField(max_length=10, blank=True)
    receipt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "next_attempt_at"])]
        verbose_name = _("SMS")
        verbose_name_plural = _("SMS")

    def __str__(self) -> str:
        return f"{self.kind} → {self.voter_id} ({self.state})"


class SmsGateway(models.Model):
    """One row: the gateway's shared clock (ADR 0602). ``next_slot`` is the earliest time the
    next SMS may be submitted, whatever the worker (the rate, `URNE_SMS_RATE_PER_SECOND`);
    ``paused_until`` and ``failures`` are the back-off after the gateway was down, refused the
    bind or throttled us."""

    next_slot = models.DateTimeField(null=True)
    paused_until = models.DateTimeField(null=True)
    failures = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("passerelle SMS")

    def __str__(self) -> str:
        return f"SMS gateway (failures: {self.failures})"
