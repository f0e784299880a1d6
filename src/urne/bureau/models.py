"""The bureau of an election and its members (voter store).

The law (Code général de la fonction publique, R211-503 to R211-584) puts the bureau in charge
of the vote: a president, a secretary and one delegate per union that has a list. The
president and the delegates hold the election's key; the secretary holds none."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from urne.elections.models import Election, Scrutin, Union


class Bureau(models.Model):
    election = models.OneToOneField(Election, on_delete=models.CASCADE, related_name="bureau")
    # The scrutins the bureau covers; none chosen means all of the election's.
    scrutins = models.ManyToManyField(Scrutin, blank=True, related_name="bureaux")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bureau de vote électronique")

    def __str__(self) -> str:
        return str(self.election)


class Member(models.Model):
    class Role(models.TextChoices):
        PRESIDENT = "president", _("Président")
        SECRETARY = "secretary", _("Secrétaire")
        DELEGATE = "delegate", _("Délégué de liste")

    bureau = models.ForeignKey(Bureau, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices)
    # The union a delegate represents; none for the president and the secretary.
    union = models.ForeignKey(
        Union, on_delete=models.PROTECT, null=True, blank=True, related_name="delegates"
    )
    name = models.CharField(_("nom"), max_length=200)
    email = models.EmailField(_("courriel professionnel"), max_length=254)
    # The member's own staff account, made when they accept the invitation.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bureau_member",
    )
    invited_at = models.DateTimeField(_("invité le"), null=True, blank=True)
    joined_at = models.DateTimeField(_("a rejoint le"), null=True, blank=True)

    class Meta:
        verbose_name = _("membre du bureau")
        constraints = [
            models.UniqueConstraint(
                fields=["bureau"],
                condition=models.Q(role="president"),
                name="bureau_one_president",
            ),
            models.UniqueConstraint(
                fields=["bureau"],
                condition=models.Q(role="secretary"),
                name="bureau_one_secretary",
            ),
            models.UniqueConstraint(
                fields=["bureau", "union"],
                condition=models.Q(role="delegate"),
                name="bureau_one_delegate_per_union",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"

    @property
    def holds_key(self) -> bool:
        """The president and the delegates hold a part of the election key (R211-532)."""
        return self.role in (self.Role.PRESIDENT, self.Role.DELEGATE)


# --- The seal and the rehearsal (ADRs 0750–0752): the seals made (their manifest and
# fingerprint), who of the bureau confirmed them, every check and its outcome, the bureau's
# decision after a mismatch, and the rehearsals run before the seal.


class Seal(models.Model):
    """A fingerprint of the election's sealed components (``urne.verify.seal``). The seal
    proper (``kind`` seal) takes effect once the president and two delegates have confirmed
    it; the freeze's (``kind`` freeze) is made by the system at the freeze."""

    class Kind(models.TextChoices):
        SEAL = "seal", _("scellement")
        FREEZE = "freeze", _("scellement du gel")

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="seals")
    kind = models.CharField(max_length=6, choices=Kind.choices, default=Kind.SEAL)
    fingerprint = models.CharField(_("empreinte"), max_length=64)
    # The manifest as exported (JSON): every entry's SHA-256, the audit head, the metadata.
    manifest = models.TextField()
    computed_at = models.DateTimeField()
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sealed_at = models.DateTimeField(_("scellé le"), null=True, blank=True)

    class Meta:
        ordering = ["election", "computed_at", "pk"]
        verbose_name = _("scellement")
        constraints = [
            models.UniqueConstraint(
                fields=["election", "kind"],
                condition=models.Q(sealed_at__isnull=False),
                name="seal_one_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.fingerprint[:16]}"


class SealConfirmation(models.Model):
    """A key holder of the bureau confirmed the fingerprint, from their own session."""

    seal = models.ForeignKey(Seal, on_delete=models.CASCADE, related_name="confirmations")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["seal", "at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["seal", "member"], name="seal_confirmation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.seal_id}"


class SealCheck(models.Model):
    """One check of a seal: on demand, at the closing, at the count; what changed."""

    class Reason(models.TextChoices):
        DEMAND = "demand", _("à la demande")
        CLOSING = "closing", _("à la clôture")
        COUNT = "count", _("au dépouillement")

    seal = models.ForeignKey(Seal, on_delete=models.CASCADE, related_name="checks")
    at = models.DateTimeField()
    reason = models.CharField(max_length=8, choices=Reason.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ok = models.BooleanField()
    # [{component, added, removed, changed}] (urne.verify.seal.Change.to_json)
    changes = models.JSONField(default=list)

    class Meta:
        ordering = ["seal", "at", "pk"]

    def __str__(self) -> str:
        return f"check of {self.seal_id}: {'ok' if self.ok else 'mismatch'}"

    @property
    def components(self) -> list[str]:
        return [c["component"] for c in self.changes]


class SealDecision(models.Model):
    """The bureau's decision after a mismatch (recorded by its president): until there is
    one, the count is refused."""

    seal_check = models.OneToOneField(SealCheck, on_delete=models.CASCADE, related_name="decision")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("décision du bureau"))
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"decision on check {self.seal_check_id}"


class Rehearsal(models.Model):
    """A test vote on the election's configuration before the seal (ADR 0752): its urns
    (uuids of their own, in the urn store), its report, and when it was wiped."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="rehearsals")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField()
    # real scrutin uuid -> the rehearsal urn's uuid
    urns = models.JSONField(default=dict)
    report = models.JSONField(default=dict)
    wiped_at = models.DateTimeField(null=True, blank=True)
    # What the wipe showed: every real urn empty and its archive verified.
    wipe_report = models.JSONField(default=dict)

    class Meta:
        ordering = ["election", "started_at", "pk"]

    def __str__(self) -> str:
        return f"rehearsal {self.pk} of {self.election_id}"
