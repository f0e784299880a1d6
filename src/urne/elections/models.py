"""Election data in the voter store: elections, bodies, scrutins, voters, rules, rolls,
candidate lists, complaints and voter-file imports. Nothing here holds a ballot or a credential.
"""

import math
import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from urne.crypto.election import BASE58_ALPHABET

from .defaults import ACADEMIE, DEPARTEMENT, NATIONAL

UUID_LENGTH = 14


def belenios_uuid() -> str:
    """A Belenios election uuid: 14 base58 characters (docs/protocol.md §3)."""
    return "".join(secrets.choice(BASE58_ALPHABET) for _ in range(UUID_LENGTH))


class Style(models.TextChoices):
    S2018 = "2018", _("style 2018 (identifiant électeur)")
    S2022 = "2022", _("style 2022 (code de vote)")


class Level(models.TextChoices):
    NATIONAL = NATIONAL, _("national")
    ACADEMIE = ACADEMIE, _("académie")
    DEPARTEMENT = DEPARTEMENT, _("département")


class Election(models.Model):
    """A campaign and its calendar (docs/product.md, "The calendar": dates A to E, Paris time,
    stored in UTC)."""

    name = models.CharField(_("nom"), max_length=200)
    style = models.CharField(_("style"), max_length=4, choices=Style.choices, default=Style.S2018)
    rolls_from = models.DateTimeField(
        _("profil et listes électorales visibles à partir du"), null=True, blank=True
    )
    lists_from = models.DateTimeField(
        _("listes de candidats visibles à partir du"), null=True, blank=True
    )
    complaints_until = models.DateTimeField(
        _("réclamations reçues jusqu'au"), null=True, blank=True
    )
    vote_opens = models.DateTimeField(_("ouverture du vote"), null=True, blank=True)
    vote_closes = models.DateTimeField(_("clôture du vote"), null=True, blank=True)
    rolls_published_at = models.DateTimeField(
        _("listes électorales publiées le"), null=True, blank=True
    )
    # The polling station's control of the vote (urne.bureau.control; ADR 0770): kept on the
    # election's row so that the cast's one voter-store statement reads them with the dates.
    vote_suspended_at = models.DateTimeField(
        _("vote suspendu depuis le"), null=True, blank=True, editable=False
    )
    vote_closed_at = models.DateTimeField(
        _("vote clos par le bureau le"), null=True, blank=True, editable=False
    )
    vote_extended_to = models.DateTimeField(
        _("clôture prolongée jusqu'au"), null=True, blank=True, editable=False
    )
    vote_frozen_at = models.DateTimeField(
        _("urnes et émargements figés le"), null=True, blank=True, editable=False
    )
    # The réassort asks the first 10 digits of the social security number instead of the
    # NUMEN (ADR 0652): off by default; imported as a keyed hash only (elections.nir).
    reassort_nir = models.BooleanField(
        _("réassort par le numéro de sécurité sociale (10 premiers chiffres) au lieu du NUMEN"),
        default=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("élection")
        verbose_name_plural = _("élections")

    def __str__(self) -> str:
        return self.name

    def phase(self, now: datetime | None = None) -> str:
        """The calendar phase at `now` (`calendar.election_phase`)."""
        from .calendar import election_phase

        return election_phase(self, now)


class Body(models.Model):
    """An instance (CTM, CTA, CAPD, CSA…) with its perimeter level and list bounds."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="bodies")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("nom"), max_length=200)
    level = models.CharField(_("niveau du périmètre"), max_length=12, choices=Level.choices)
    default_seats = models.PositiveIntegerField(_("sièges titulaires par défaut"), default=5)
    # Candidates allowed on a list, as a fraction of titular + substitute seats, up to all.
    min_candidates_num = models.PositiveSmallIntegerField(default=2)
    min_candidates_den = models.PositiveSmallIntegerField(default=3)

    class Meta:
        ordering = ["election", "id"]
        constraints = [
            models.UniqueConstraint(fields=["election", "code"], name="body_code_unique"),
            models.CheckConstraint(
                condition=models.Q(min_candidates_den__gt=0)
                & models.Q(min_candidates_num__lte=models.F("min_candidates_den")),
                name="body_min_fraction_valid",
            ),
        ]
        verbose_name = _("instance")
        verbose_name_plural = _("instances")

    def __str__(self) -> str:
        return self.code


class Scrutin(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="scrutins")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="scrutins")
    level = models.CharField(_("niveau du périmètre"), max_length=12, choices=Level.choices)
    # The académie's name or the département's code; empty for a national scrutin.
    perimeter = models.CharField(_("périmètre"), max_length=60, blank=True)
    titular_seats = models.PositiveIntegerField(_("sièges titulaires"))
    substitute_seats = models.PositiveIntegerField(_("sièges suppléants"))
    uuid = models.CharField(max_length=UUID_LENGTH, unique=True, default=belenios_uuid)

    class Meta:
        ordering = ["body_id", "perimeter"]
        constraints = [
            models.UniqueConstraint(fields=["body", "perimeter"], name="scrutin_perimeter_unique"),
        ]
        verbose_name = _("scrutin")
        verbose_name_plural = _("scrutins")

    def __str__(self) -> str:
        return f"{self.body.code} {self.perimeter}".strip()

    @property
    def total_seats(self) -> int:
        return self.titular_seats + self.substitute_seats

    def candidate_bounds(self) -> tuple[int, int]:
        """(min, max) candidates on a list, counted on titular + substitute seats."""
        total = self.total_seats
        minimum = math.ceil(total * self.body.min_candidates_num / self.body.min_candidates_den)
        return minimum, total


class VoterCategory(models.Model):
    """A rule of "qui vote où": a personnel category and the bodies it votes in."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("catégorie"), max_length=120)
    bodies = models.ManyToManyField(Body, blank=True, related_name="categories")

    class Meta:
        ordering = ["election", "id"]
        constraints = [
            models.UniqueConstraint(fields=["election", "name"], name="category_name_unique"),
        ]
        verbose_name = _("catégorie d'électeurs")
        verbose_name_plural = _("catégories d'électeurs")

    def __str__(self) -> str:
        return self.name


class Civility(models.TextChoices):
    MADAME = "F", _("Mme")
    MONSIEUR = "M", _("M.")


class Voter(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="voters")
    numen = models.CharField("NUMEN", max_length=13)
    civility = models.CharField(_("civilité"), max_length=1, choices=Civility.choices)
    last_name = models.CharField(_("nom"), max_length=100)
    first_name = models.CharField(_("prénom"), max_length=100)
    birth_date = models.DateField(_("date de naissance"))
    email = models.EmailField(_("courriel professionnel"), max_length=254)
    category = models.ForeignKey(
        VoterCategory, on_delete=models.PROTECT, related_name="voters", verbose_name=_("catégorie")
    )
    corps = models.CharField(_("corps"), max_length=100, blank=True)
    grade = models.CharField(_("grade"), max_length=100, blank=True)
    academie = models.CharField(_("académie"), max_length=60)
    departement = models.CharField(_("département"), max_length=3)
    establishment = models.CharField(_("établissement"), max_length=200, blank=True)
    mobile = models.CharField(_("téléphone mobile"), max_length=20, blank=True)
    # HMAC of the election and the NIR's first 10 characters under URNE_NIR_KEY (elections.nir;
    # ADR 0652); empty when not imported. Never the number itself.
    nir_digest = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["election", "numen"], name="voter_numen_unique"),
        ]
        indexes = [
            models.Index(fields=["election", "category", "academie"]),
            models.Index(fields=["election", "category", "departement"]),
            models.Index(fields=["email"]),
            models.Index(fields=["election", "last_name"]),
        ]
        verbose_name = _("électeur")
        verbose_name_plural = _("électeurs")

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_name} ({self.numen})"


class RollAdjustment(models.Model):
    """A manual addition to or removal from a scrutin's roll, always with a reason."""

    class Kind(models.TextChoices):
        ADD = "add", _("ajout")
        REMOVE = "remove", _("retrait")

    scrutin = models.ForeignKey(Scrutin, on_delete=models.CASCADE, related_name="adjustments")
    voter = models.ForeignKey(Voter, on_delete=models.CASCADE, related_name="adjustments")
    kind = models.CharField(_("nature"), max_length=6, choices=Kind.choices)
    reason = models.TextField(_("motif"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scrutin", "voter"], name="adjustment_unique"),
        ]
        verbose_name = _("correction de liste électorale")
        verbose_name_plural = _("corrections de listes électorales")

    def __str__(self) -> str:
        return f"{self.kind} {self.voter_id} → {self.scrutin_id}"


class RollEntry(models.Model):
    """A line of a published electoral roll (frozen at publication)."""

    scrutin = models.ForeignKey(Scrutin, on_delete=models.CASCADE, related_name="roll")
    voter = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="roll_entries")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scrutin", "voter"], name="roll_entry_unique"),
        ]
        verbose_name = _("inscription sur la liste électorale")
        verbose_name_plural = _("inscriptions sur les listes électorales")

    def __str__(self) -> str:
        return f"{self.voter_id} in {self.scrutin_id}"


class Union(models.Model):
    """A union (organisation syndicale) that files lists."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="unions")
    name = models.CharField(_("nom"), max_length=200)
    acronym = models.CharField(_("sigle"), max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election", "acronym"], name="union_acronym_unique"),
        ]
        verbose_name = _("organisation syndicale")
        verbose_name_plural = _("organisations syndicales")

    def __str__(self) -> str:
        return self.acronym


def profession_de_foi_path(instance: "CandidateList", filename: str) -> str:
    suffix = f"{instance.pk or 'new'}-{secrets.token_hex(4)}"
    return f"professions_de_foi/{instance.scrutin.uuid}/{suffix}.pdf"


class CandidateList(models.Model):
    scrutin = models.ForeignKey(Scrutin, on_delete=models.CASCADE, related_name="lists")
    label = models.CharField(_("intitulé"), max_length=200)
    unions = models.ManyToManyField(Union, through="ListUnion", related_name="lists")
    profession_de_foi = models.FileField(
        _("profession de foi"), upload_to=profession_de_foi_path, blank=True
    )
    deposited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scrutin", "id"]
        verbose_name = _("liste de candidats")
        verbose_name_plural = _("listes de candidats")

    def __str__(self) -> str:
        return self.label


class ListUnion(models.Model):
    """A union on a list; `share` (percent) is its part of a joint list's votes, if declared."""

    candidate_list = models.ForeignKey(CandidateList, on_delete=models.CASCADE)
    union = models.ForeignKey(Union, on_delete=models.PROTECT)
    share = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidate_list", "union"], name="list_union_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.union_id} on {self.candidate_list_id}"


class Gender(models.TextChoices):
    WOMAN = "F", _("femme")
    MAN = "M", _("homme")


class Candidate(models.Model):
    candidate_list = models.ForeignKey(
        CandidateList, on_delete=models.CASCADE, related_name="candidates"
    )
    position = models.PositiveIntegerField(_("rang"))
    last_name = models.CharField(_("nom"), max_length=100)
    first_name = models.CharField(_("prénom"), max_length=100)
    gender = models.CharField(_("genre"), max_length=1, choices=Gender.choices)

    class Meta:
        ordering = ["candidate_list", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate_list", "position"], name="candidate_position_unique"
            ),
        ]
        verbose_name = _("candidat")
        verbose_name_plural = _("candidats")

    def __str__(self) -> str:
        return f"{self.position}. {self.last_name} {self.first_name}"


class Complaint(models.Model):
    """A réclamation about a voter's profile, scrutins or a roll."""

    class Status(models.TextChoices):
        OPEN = "open", _("ouverte")
        ACCEPTED = "accepted", _("acceptée")
        REJECTED = "rejected", _("rejetée")

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="complaints")
    voter = models.ForeignKey(Voter, on_delete=models.SET_NULL, null=True, blank=True)
    scrutin = models.ForeignKey(Scrutin, on_delete=models.SET_NULL, null=True, blank=True)
    subject = models.CharField(_("objet"), max_length=200)
    text = models.TextField(_("texte"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    response = models.TextField(_("réponse"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("réclamation")
        verbose_name_plural = _("réclamations")

    def __str__(self) -> str:
        return self.subject


class ImportJob(models.Model):
    """One voter-file import: progress for the bar, counts, and its line-by-line errors."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("en attente")
        RUNNING = "running", _("en cours")
        DONE = "done", _("terminé")
        FAILED = "failed", _("échoué")

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="imports")
    filename = models.CharField(max_length=255)
    # Where the file is while it waits to be processed; emptied when an uploaded file is
    # deleted after processing. The SHA-256 stays, to tell which file the report is about.
    path = models.CharField(max_length=500, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import d'électeurs")
        verbose_name_plural = _("imports d'électeurs")

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

    @property
    def errors_kept(self) -> int:
        """How many of the errors the report lists (the first ones, by line)."""
        return min(self.error_count, settings.URNE_IMPORT_ERRORS_KEPT)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, 100 * self.processed_rows // self.total_rows) if self.total_rows else 0


class ImportRowError(models.Model):
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="errors")
    line = models.PositiveIntegerField()
    numen = models.CharField(max_length=40, blank=True)
    message = models.TextField()

    class Meta:
        ordering = ["job", "line"]

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"
