"""Voter-store data of the portal: assistance requests (seed 003, "Formulaire de demande
d'assistance"). Nothing here holds a ballot, a credential or a secret."""

from django.conf import settings
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
    # The helpdesk's answer, e-mailed to ``email`` (empty: closed without an answer).
    response = models.TextField(_("réponse"), blank=True)
    closed_at = models.DateTimeField(_("traitée le"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["election", "status", "created_at"])]
        verbose_name = _("demande d'assistance")
        verbose_name_plural = _("demandes d'assistance")

    def __str__(self) -> str:
        return f"{self.get_topic_display()} – {self.name}"


class ReplacementRequest(models.Model):
    """A request of a new voter identifier (2018 style, seed 001) and its outcome: the
    voter's own from their space, or the helpdesk's reserve. No number, no NUMEN or birth
    date typed, no code: the code slot activated (an index) and the SMS row (whose state the
    helpdesk sees) only (ADR 0610)."""

    class Origin(models.TextChoices):
        VOTER = "voter", _("électeur")
        HELPDESK = "helpdesk", _("assistance (réserve)")

    class Outcome(models.TextChoices):
        SENT = "sent", _("nouvel identifiant envoyé")
        WRONG_NUMEN = "wrong_numen", _("NUMEN erroné")
        WRONG_BIRTH_DATE = "wrong_birth_date", _("date de naissance erronée")
        PHONE_TAKEN = "phone_taken", _("numéro déjà utilisé par un autre électeur")
        USED_UP = "used_up", _("demandes épuisées")
        NO_SPARE = "no_spare", _("plus de code de remplacement")

    voter = models.ForeignKey(Voter, on_delete=models.CASCADE, related_name="+")
    origin = models.CharField(max_length=8, choices=Origin.choices)
    outcome = models.CharField(_("résultat"), max_length=16, choices=Outcome.choices)
    # The code number activated (1..R) when the outcome is "sent".
    slot_index = models.PositiveSmallIntegerField(null=True)
    sms = models.ForeignKey(
        "messaging.SmsMessage", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("demandée le"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["voter", "origin", "outcome"])]
        verbose_name = _("demande de nouvel identifiant")
        verbose_name_plural = _("demandes de nouvel identifiant")

    def __str__(self) -> str:
        return f"{self.origin} {self.outcome} ({self.voter_id})"
