"""Voter-store data of the portal: assistance requests (seed 003, "Formulaire de demande
d'assistance"). Nothing here holds a ballot, a credential or a secret."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from urne.elections.models import Election, Voter


class AssistanceRequest(models.Model):
    class Topic(models.TextChoices):
        ACCOUNT = "account", _("Mon compte et mon mot de passe")
        PROFILE = "profile", _("Mon profil électeur et mes scrutins")
        VOTE_CODE = "vote_code", _("Ma notice ou mon code de vote")
        VOTE = "vote", _("Le vote")
        OTHER = "other", _("Autre question")

    class Status(models.TextChoices):
        OPEN = "open", _("à traiter")
        CLOSED = "closed", _("traitée")

    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="assistance_requests"
    )
    # Set when a logged-in voter writes; otherwise the contact e-mail is what we have.
    voter = models.ForeignKey(Voter, on_delete=models.SET_NULL, null=True, blank=True)
    name = models.CharField(_("nom et prénom"), max_length=200)
    email = models.EmailField(_("adresse électronique professionnelle"), max_length=254)
    topic = models.CharField(_("sujet"), max_length=12, choices=Topic.choices)
    message = models.TextField(_("message"), max_length=4000)
    status = models.CharField(_("état"), max_length=6, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("reçue le"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["election", "status", "created_at"])]
        verbose_name = _("demande d'assistance")
        verbose_name_plural = _("demandes d'assistance")

    def __str__(self) -> str:
        return f"{self.get_topic_display()} – {self.name}"
