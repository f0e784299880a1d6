"""The booth's records in the voter store: émargement and booth entry times.

Nothing here holds a ballot or a credential. A *pending* émargement holds the tracker of the
ballot being cast, only until the ballot is in the urn (docs/architecture.md, "The vote code and
the cast"); a *voted* row keeps the voter, the scrutin and the time.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from urne.elections.models import Scrutin, Voter


class Emargement(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("en cours")
        VOTED = "voted", _("a voté")

    # db_index=False: the unique (voter, scrutin) constraint serves lookups by voter.
    voter = models.ForeignKey(
        Voter, on_delete=models.PROTECT, related_name="emargements", db_index=False
    )
    # db_index=False: the (scrutin, voted_at) index below serves lookups by scrutin too.
    scrutin = models.ForeignKey(
        Scrutin, on_delete=models.PROTECT, related_name="emargements", db_index=False
    )
    state = models.CharField(max_length=7, choices=State.choices, default=State.PENDING)
    # The tracker of the ballot being cast; erased once the row is voted.
    pending_tracker = models.CharField(max_length=43, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    voted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["voter", "scrutin"], name="emargement_unique"),
        ]
        # The recovery job's rows only: a voted row leaves this index (one entry less a cast).
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(state="pending"),
                name="emargement_pending",
            ),
            # The bureau's émargement list, latest first (urne.bureau.participation); it
            # replaces the scrutin key's own index, so a cast updates no index more.
            models.Index(fields=["scrutin", "voted_at"], name="emargement_scrutin_voted"),
        ]
        verbose_name = _("émargement")
        verbose_name_plural = _("émargements")

    def __str__(self) -> str:
        return f"{self.voter_id} / {self.scrutin_id}: {self.state}"


class BoothEntry(models.Model):
    """When a voter first entered the booth of a scrutin (for the grace period at closing)."""

    voter = models.ForeignKey(Voter, on_delete=models.CASCADE, related_name="booth_entries")
    scrutin = models.ForeignKey(Scrutin, on_delete=models.CASCADE, related_name="booth_entries")
    entered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["voter", "scrutin"], name="booth_entry_unique"),
        ]
        verbose_name = _("entrée dans l'isoloir")
        verbose_name_plural = _("entrées dans l'isoloir")

    def __str__(self) -> str:
        return f"{self.voter_id} / {self.scrutin_id} at {self.entered_at}"
