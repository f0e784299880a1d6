"""Voter accounts in the voter store (ADR 0200). A `VoterAccount` is a separate authenticated
model, not a Django `auth.User`: staff and voters never share a table, a session key or a
login page. It holds no ballot and no vote credential; the password and the challenge answer are
kept only as hashes, the one-time link tokens only as SHA-256 digests.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from urne.elections.models import Election, Voter


class ChallengeQuestion(models.TextChoices):
    """The 2022 "question défi" list (seed 003, step 3)."""

    PET = "pet", _("Quel était le nom de votre premier animal de compagnie ?")
    CITY = "city", _("Dans quelle ville êtes-vous né(e) ?")
    SCHOOL = "school", _("Quel est le nom de votre école primaire ?")
    FRIEND = "friend", _("Quel est le prénom de votre meilleur(e) ami(e) d'enfance ?")
    BOOK = "book", _("Quel est le titre de votre livre préféré ?")
    STREET = "street", _("Dans quelle rue avez-vous grandi ?")


class VoterAccount(models.Model):
    """One per `elections.Voter`; the identifier is the professional e-mail (lower-cased)."""

    voter = models.OneToOneField(Voter, on_delete=models.CASCADE, related_name="account")
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    email = models.CharField(_("identifiant (courriel professionnel)"), max_length=254)
    # Django hasher format (Argon2id in production); empty until the voter creates one.
    password = models.CharField(max_length=256, blank=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    # 2018: set with the password; 2022: set when the challenge question is recorded.
    activated_at = models.DateTimeField(null=True, blank=True)
    challenge_question = models.CharField(
        max_length=20, choices=ChallengeQuestion.choices, blank=True
    )
    challenge_answer = models.CharField(max_length=256, blank=True)  # hashed, normalised
    # Failures on the account's secrets (password, vote code, challenge answer; ADR 0500):
    # since the last right one (drives the CAPTCHA), in all (shown to the helpdesk), and when
    # the last one was. Counts only, never what was typed.
    secret_failures = models.PositiveIntegerField(default=0)
    secret_failures_total = models.PositiveIntegerField(default=0)
    secret_failed_at = models.DateTimeField(null=True, blank=True)
    last_login_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election", "email"], name="account_email_unique"),
        ]
        verbose_name = _("compte électeur")
        verbose_name_plural = _("comptes électeurs")

    def __str__(self) -> str:
        return self.email

    @property
    def is_active(self) -> bool:
        return self.activated_at is not None and bool(self.password)


class AccountToken(models.Model):
    """A single-use link token; only its SHA-256 digest is stored."""

    class Purpose(models.TextChoices):
        OPENING = "opening", _("ouverture du compte")
        RESET = "reset", _("mot de passe oublié")

    account = models.ForeignKey(VoterAccount, on_delete=models.CASCADE, related_name="tokens")
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "purpose"])]

    def __str__(self) -> str:
        return f"{self.purpose} token for account {self.account_id}"


class AccountPolicy(models.Model):
    """Per-election link lifetimes (the issue: "expiry set per election")."""

    election = models.OneToOneField(
        Election, on_delete=models.CASCADE, related_name="account_policy"
    )
    opening_link_hours = models.PositiveIntegerField(
        _("validité du lien d'ouverture (heures)"), default=24 * 14
    )
    reset_link_hours = models.PositiveIntegerField(
        _("validité du lien de réinitialisation (heures)"), default=24
    )

    class Meta:
        verbose_name = _("politique des comptes")
        verbose_name_plural = _("politiques des comptes")

    def __str__(self) -> str:
        return str(self.election)


class FranceConnectNonce(models.Model):
    """The digest of every nonce a FranceConnect ID token was accepted with: each once, ever
    (ADR 0650). A digest of a random value: nothing about the voter."""

    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"nonce {self.digest[:12]}…"
