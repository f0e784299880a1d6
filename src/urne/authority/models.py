"""The authority store: which public credential is whose, and its status. No vote code, no
private credential, no identity beyond the voter's id in the voter store (no FK crosses
stores): the codes are recomputed from URNE_AUTHORITY_KEY when a notice is printed."""

from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CredentialSet(models.Model):
    """An election's codes: the salt mixed into the derivation and the number of spares."""

    election_id = models.PositiveBigIntegerField(unique=True)
    salt = models.CharField(max_length=32)
    spares = models.PositiveSmallIntegerField(_("codes de remplacement par électeur"), default=3)
    voters = models.PositiveIntegerField(default=0)
    generated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("jeu de codes de vote")

    def __str__(self) -> str:
        return f"credentials of election {self.election_id}"


class CodeSlot(models.Model):
    """Code number ``index`` of a voter (0 = printed on the notice, 1..R = spares)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("actif")
        SPARE = "spare", _("en réserve")
        REVOKED = "revoked", _("révoqué")

    election_id = models.PositiveBigIntegerField(db_index=True)
    voter_id = models.PositiveBigIntegerField()
    index = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=8, choices=Status.choices)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["voter_id", "index"], name="code_slot_unique"),
        ]

    def __str__(self) -> str:
        return f"voter {self.voter_id} code {self.index} ({self.status})"


class PublicCredential(models.Model):
    """The Belenios public credential (hex group element) of a code slot in one scrutin."""

    slot = models.ForeignKey(CodeSlot, on_delete=models.CASCADE, related_name="credentials")
    scrutin_uuid = models.CharField(max_length=22)
    credential = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scrutin_uuid", "credential"], name="public_credential_unique"
            ),
            models.UniqueConstraint(fields=["slot", "scrutin_uuid"], name="slot_scrutin_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scrutin_uuid}: {self.credential[:12]}…"


class ScrutinSetup(models.Model):
    """A scrutin whose setup was written to the urn: its credential list is frozen."""

    election_id = models.PositiveBigIntegerField(db_index=True)
    scrutin_uuid = models.CharField(max_length=22, unique=True)
    credentials = models.PositiveIntegerField()
    trustees_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"setup of {self.scrutin_uuid}"


class ReassortGrant(models.Model):
    """A voter's right to generate one new code on the page "Générer un code" (2022
    réassort, seed 004), once their identity was checked: by FranceConnect, or by the
    challenge answer and a link sent to a personal phone or address. Single use and short
    lived; only the token's digest is kept (the token lives in the voter's session or link),
    and nothing of the identity, phone or address that was checked."""

    class Via(models.TextChoices):
        FRANCECONNECT = "franceconnect", _("FranceConnect")
        SMS = "sms", _("lien par SMS")
        EMAIL = "email", _("lien par e-mail")

    election_id = models.PositiveBigIntegerField()
    voter_id = models.PositiveBigIntegerField(db_index=True)
    via = models.CharField(max_length=16, choices=Via.choices)
    # The token is derived from the authority's key and this salt (so that a link's SMS can be
    # written at send time without the token being kept); only its digest is stored.
    salt = models.CharField(max_length=32)
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("autorisation de réassort")

    def __str__(self) -> str:
        return f"réassort grant {self.pk} ({self.via}) of voter {self.voter_id}"

    def state(self, now: "datetime | None" = None) -> str:
        """ "used", "expired" or "open" (for the helpdesk's list)."""
        if self.used_at is not None:
            return "used"
        return "expired" if self.expires_at <= (now or timezone.now()) else "open"


class PhoneDigest(models.Model):
    """A phone number that received a new identifier, as a keyed hash under the authority's
    key (`phones.phone_digest`): one number serves one voter only (seed 001). Nothing else
    of the number is kept (ADR 0610)."""

    election_id = models.PositiveBigIntegerField()
    voter_id = models.PositiveBigIntegerField(db_index=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election_id", "digest"], name="phone_digest_unique"),
        ]

    def __str__(self) -> str:
        return f"phone of voter {self.voter_id}"
