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


class LiveMembers(models.Manager["Member"]):
    """The bureau's members now: a removed member stays in the record (its ceremony steps,
    decisions and audit events name it) but is no longer one (``members.member_remove``)."""

    def get_queryset(self) -> models.QuerySet["Member"]:
        return super().get_queryset().filter(removed_at__isnull=True)


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
    # The language of the member's e-mails (the invitation), chosen by the manager.
    LANGUAGES = [("fr", "Français"), ("en", "English")]
    language = models.CharField(
        _("langue des courriels"),
        max_length=5,
        choices=LANGUAGES,
        default="fr",
    )
    # When the manager removed the member from the bureau (ADR 0703); None: a member now.
    removed_at = models.DateTimeField(_("retiré le"), null=True, blank=True)

    objects = LiveMembers()
    # Every member ever named, the removed ones too (the journal, the record of a ceremony).
    everyone = models.Manager()  # noqa: DJ012 - a second manager, not a field

    class Meta:
        verbose_name = _("membre du bureau")
        base_manager_name = "everyone"
        constraints = [
            models.UniqueConstraint(
                fields=["bureau"],
                condition=models.Q(role="president", removed_at__isnull=True),
                name="bureau_one_president",
            ),
            models.UniqueConstraint(
                fields=["bureau"],
                condition=models.Q(role="secretary", removed_at__isnull=True),
                name="bureau_one_secretary",
            ),
            models.UniqueConstraint(
                fields=["bureau", "union"],
                condition=models.Q(role="delegate", removed_at__isnull=True),
                name="bureau_one_delegate_per_union",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"

    @property
    def holds_key(self) -> bool:
        """The president and the delegates hold a part of the election key (R211-532)."""
        return self.role in (self.Role.PRESIDENT, self.Role.DELEGATE)


# -- the key ceremony (urne.bureau.ceremony, ADR 0722) ------------------------------------------
# Only public data is kept: the president's public key, the delegates' certificates, their
# polynomials (each secret encrypted to its recipient), the vinputs the coordinator routes and
# the voutputs (each key share encrypted to its own holder), then the group's parameters. The
# private files (.privkey, .key, the opened .dkey) never reach the server.


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
    # Cancelled after a key loss declared before the seal (``keyloss.keys_reset``, ADR 0703).
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

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


class Invitation(models.Model):
    """An e-mailed invitation for a member to make their own access (ADR 0700): the link's
    single-use token is in the e-mail only (in the URL's fragment, ADR 0532); here its SHA-256.
    A newer invitation of the same member revokes the older ones; the one used is spent."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="invitations")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    # The staff member who sent it (the manager), by name: the log outlives accounts.
    sent_by = models.CharField(max_length=150)
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation d'un membre")

    def __str__(self) -> str:
        return f"invitation {self.member_id} ({self.created_at:%Y-%m-%d})"


class KeyLoss(models.Model):
    """The bureau's decision that a holder's key is lost (ADR 0701): who declared it, the
    members present, the reason, and whether it came before the seal (the ceremony then
    starts again) or after it (the threshold decides what the count can still do)."""

    class Phase(models.TextChoices):
        BEFORE_SEAL = "before_seal", _("avant le scellement")
        AFTER_SEAL = "after_seal", _("après le scellement")

    bureau = models.ForeignKey(Bureau, on_delete=models.CASCADE, related_name="key_losses")
    holder = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="key_losses")
    phase = models.CharField(max_length=12, choices=Phase.choices)
    reason = models.TextField(_("motif"), max_length=2000)
    # The members present at the decision (their names as they were, ids for the links).
    present = models.JSONField(default=list)
    recorded_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("perte de clé")

    def __str__(self) -> str:
        return f"{self.holder} ({self.phase})"


class ControlDecision(models.Model):
    """A decision of the bureau on the course of the vote, recorded by its president with the
    members present and the reason (ADR 0770; `urne.bureau.control`). Append-only."""

    class Kind(models.TextChoices):
        SUSPEND = "suspend", _("Suspension du vote")
        RESUME = "resume", _("Reprise du vote")
        EXTEND = "extend", _("Prolongation de la clôture")
        CLOSE = "close", _("Clôture par le bureau")

    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="control_decisions"
    )
    kind = models.CharField(_("décision"), max_length=8, choices=Kind.choices)
    decided_at = models.DateTimeField(_("décidée le"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    members_present = models.ManyToManyField(
        Member, related_name="control_decisions", verbose_name=_("membres présents")
    )
    reason = models.TextField(_("motif"))
    # An extension's new close.
    closes_at = models.DateTimeField(_("nouvelle clôture"), null=True, blank=True)

    class Meta:
        ordering = ["decided_at", "pk"]
        verbose_name = _("décision du bureau")
        verbose_name_plural = _("décisions du bureau")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.decided_at:%Y-%m-%d %H:%M}"


class Freeze(models.Model):
    """The freeze of an election's urns, émargements and counters once no ballot can come in
    (`urne.bureau.control.vote_freeze`): when, by whom, and the figures frozen per scrutin."""

    election = models.OneToOneField(Election, on_delete=models.PROTECT, related_name="freeze")
    frozen_at = models.DateTimeField(_("figé le"))
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # scrutin uuid -> {"ballots", "height", "last_event", "emargements", "counted"}
    figures = models.JSONField()

    class Meta:
        verbose_name = _("gel des urnes et des émargements")
        verbose_name_plural = _("gels des urnes et des émargements")

    def __str__(self) -> str:
        return f"{self.election} {self.frozen_at:%Y-%m-%d %H:%M}"


class ParticipationTick(models.Model):
    """An émargement set voted and not yet added to `ParticipationCount` (ADR 0771): the cast
    appends one row in its own transaction (no lock shared between casts), the counters'
    compaction (`participation.participation_compact`) moves them. No foreign key and no
    index but the key, so the append costs one heap and one index entry."""

    id = models.BigAutoField(primary_key=True)
    scrutin_id = models.IntegerField()
    voter_id = models.IntegerField()
    voted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.voter_id} / {self.scrutin_id}"


class ParticipationCount(models.Model):
    """How many voters of a scrutin, académie and category have voted (the tables' figures)."""

    scrutin = models.ForeignKey(Scrutin, on_delete=models.CASCADE, related_name="+")
    academie = models.CharField(max_length=60)
    category_id = models.IntegerField()
    voted = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scrutin", "academie", "category_id"], name="participation_count_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scrutin_id} {self.academie} {self.category_id}: {self.voted}"


class ParticipationHour(models.Model):
    """How many voters of a scrutin voted in an hour (UTC; the chart's figures). Kept apart
    from `ParticipationCount`: crossed with the académies and categories, the hours of an
    8-day vote would make millions of rows for the page to sum."""

    scrutin = models.ForeignKey(Scrutin, on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField()
    voted = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scrutin", "hour"], name="participation_hour_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scrutin_id} {self.hour}: {self.voted}"


class ParticipationElectionHour(models.Model):
    """How many voters of the whole election voted in an hour (UTC): the election's chart
    reads its few hundred rows instead of summing every scrutin's hours."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField()
    voted = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["election", "hour"], name="participation_election_hour_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.election_id} {self.hour}: {self.voted}"


class ParticipationRoll(models.Model):
    """How many voters a scrutin's roll holds per académie and category, as of the rolls'
    publication ``rolls_published_at`` (counted once: a published roll no longer changes)."""

    scrutin = models.ForeignKey(Scrutin, on_delete=models.CASCADE, related_name="+")
    academie = models.CharField(max_length=60)
    category_id = models.IntegerField()
    registered = models.IntegerField()
    rolls_published_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scrutin", "academie", "category_id"], name="participation_roll_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scrutin_id} {self.academie} {self.category_id}: {self.registered}"


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
