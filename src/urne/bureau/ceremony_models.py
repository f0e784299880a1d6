"""The key ceremony's state (voter store): one ceremony per bureau, one row per key holder.

Only public data is kept: the president's public key, the delegates' certificates, their
polynomials (each secret encrypted to its recipient), the vinputs the coordinator routes and
the voutputs (each key share encrypted to its own holder), then the group's parameters. The
private files (``.privkey``, ``.key``, ``.dkey`` opened) never reach the server (ADR 0722)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Bureau, Member


class Ceremony(models.Model):
    class Phase(models.TextChoices):
        # The president's key, and the delegates' certificates (step 1) or single keys.
        KEYS = "keys", _("Clés et certificats")
        # Step 3: each delegate's polynomial.
        POLYNOMIALS = "polynomials", _("Polynômes")
        # Step 5: each delegate's key share.
        SHARES = "shares", _("Parts de clé")
        DONE = "done", _("Terminée")
        CANCELLED = "cancelled", _("Annulée")

    bureau = models.ForeignKey(Bureau, on_delete=models.CASCADE, related_name="ceremonies")
    # Delegates needed to decrypt (t of n); None when there are two delegates, each of whom
    # then holds a single key like the president (a threshold needs 2 ≤ t < n).
    threshold = models.PositiveSmallIntegerField(_("seuil"), null=True, blank=True)
    phase = models.CharField(_("étape"), max_length=12, choices=Phase.choices, default=Phase.KEYS)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("ouverte le"), auto_now_add=True)
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    # threshold.json (step 6) and trustees.json once every key is in.
    group_json = models.TextField(blank=True)
    trustees_json = models.TextField(blank=True)
    setups_written_at = models.DateTimeField(_("urnes initialisées le"), null=True, blank=True)

    class Meta:
        verbose_name = _("cérémonie des clés")
        constraints = [
            models.UniqueConstraint(
                fields=["bureau"],
                condition=~models.Q(phase="cancelled"),
                name="bureau_one_live_ceremony",
            )
        ]

    def __str__(self) -> str:
        return f"{self.bureau} — {self.get_phase_display()}"

    @property
    def size(self) -> int:
        """The number of delegates."""
        return self.holders.exclude(position=0).count()


class CeremonyHolder(models.Model):
    """A key holder's public contributions, each with its time (the procès-verbal's)."""

    ceremony = models.ForeignKey(Ceremony, on_delete=models.CASCADE, related_name="holders")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    # 0: the president; 1..n: the delegates, in certificate order (their index i of i/t/n).
    position = models.PositiveSmallIntegerField()
    pubkey = models.TextField(blank=True)
    cert = models.TextField(blank=True)
    polynomial = models.TextField(blank=True)
    vinput = models.TextField(blank=True)
    voutput = models.TextField(blank=True)
    key_at = models.DateTimeField(null=True, blank=True)
    polynomial_at = models.DateTimeField(null=True, blank=True)
    voutput_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("détenteur de clé")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["ceremony", "position"], name="holder_one_position"),
            models.UniqueConstraint(fields=["ceremony", "member"], name="holder_one_member"),
        ]

    def __str__(self) -> str:
        return f"{self.member} ({self.position})"
