"""The count's records in the voter store (ADR 0800): per scrutin, the count's opening, the
holders' uploads and the result with its checks and its proclamation.

Nothing here holds a ballot or a credential: the encrypted tally, the partial decryptions and
the result are the urn's events (``urne.urn``); these rows say who did what and when, with the
émargement count the result was checked against.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from urne.elections.models import Scrutin


class ScrutinCount(models.Model):
    class State(models.TextChoices):
        COUNTING = "counting", _("dépouillement ouvert")
        MISMATCH = "mismatch", _("arrêté : votes ≠ émargements")
        RESULT = "result", _("résultat calculé")
        PROCLAIMED = "proclaimed", _("résultat proclamé")

    scrutin = models.OneToOneField(Scrutin, on_delete=models.PROTECT, related_name="count")
    state = models.CharField(max_length=10, choices=State.choices, default=State.COUNTING)
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The urn at the opening: how many ballots it tallied (num_tallied, §7) and the SHA-256
    # of the encrypted tally written.
    tallied = models.PositiveIntegerField()
    tally_hash = models.CharField(max_length=64)
    emargements_at_opening = models.PositiveIntegerField()
    # The result: the decrypted counts (blank first, then the lists in answer order), the
    # voted émargements they were checked against, and the figures with the seats.
    counts = models.JSONField(null=True, blank=True)
    emargements = models.PositiveIntegerField(null=True, blank=True)
    result_at = models.DateTimeField(null=True, blank=True)
    figures = models.JSONField(null=True, blank=True)
    # The bureau's seed for a tie draw (docs/counting.md, "The draw"); "" when none was given.
    seed = models.CharField(max_length=200, blank=True)
    proclaimed_at = models.DateTimeField(null=True, blank=True)
    proclaimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("dépouillement")
        verbose_name_plural = _("dépouillements")

    def __str__(self) -> str:
        return f"{self.scrutin_id}: {self.state}"


class DecryptionUpload(models.Model):
    """A holder's accepted partial decryption of one scrutin: the trustee its proofs verify
    under (Belenios's owner id, §8), who uploaded it and when, and the SHA-256 of its text."""

    scrutin = models.ForeignKey(Scrutin, on_delete=models.PROTECT, related_name="decryptions")
    trustee = models.PositiveSmallIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    digest = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scrutin", "trustee"], name="decryption_trustee_once"),
            models.UniqueConstraint(
                fields=["scrutin", "uploaded_by"], name="decryption_holder_once"
            ),
        ]
        ordering = ["scrutin", "uploaded_at"]

    def __str__(self) -> str:
        return f"{self.scrutin_id}: trustee {self.trustee}"
