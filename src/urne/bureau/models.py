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


# The seal's and the rehearsal's records (a module of their own, ADR 0750).
from .seal_models import Rehearsal, Seal, SealCheck, SealConfirmation, SealDecision  # noqa: E402

__all__ = [
    "Bureau",
    "Member",
    "Rehearsal",
    "Seal",
    "SealCheck",
    "SealConfirmation",
    "SealDecision",
]
