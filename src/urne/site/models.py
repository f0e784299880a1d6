"""The platform's own tables: the rate limits' counters (ADR 0335) and the retention's
records (bundles, the PVs kept, the litigation holds; ADR 0573)."""

from django.db import models


class RateCounter(models.Model):
    """A fixed-window request counter of a rate limit: the key is a hash of the scope and of
    the voter, identifier or address, never any of them in clear. On PostgreSQL the table is
    UNLOGGED: counting writes no WAL, and a crash only resets the counts."""

    key = models.CharField(max_length=32, primary_key=True)
    window_start = models.BigIntegerField()
    count = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.key}: {self.count} since {self.window_start}"


class RetentionBundle(models.Model):
    """A retention bundle written for an election (``urne.site.retention``, ADR 0573): where
    it was written, its manifest and fingerprint (``urne.verify.seal``'s format, so that
    ``urne-seal-check`` checks it), the end of its period, and when it was destroyed."""

    election = models.ForeignKey(
        "elections.Election", on_delete=models.PROTECT, related_name="retention_bundles"
    )
    written_at = models.DateTimeField()
    period_end = models.DateTimeField()
    path = models.CharField(max_length=500)
    size = models.PositiveBigIntegerField()
    fingerprint = models.CharField(max_length=64)
    manifest = models.TextField()
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["election", "written_at", "pk"]

    def __str__(self) -> str:
        return f"{self.election_id}: {self.fingerprint[:12]}"


class RetainedPV(models.Model):
    """A procès-verbal as it was when the bundle was written, kept after the destruction
    (the PV is drawn from records the destruction removes). ``scrutin`` empty: the national
    one."""

    election = models.ForeignKey(
        "elections.Election", on_delete=models.PROTECT, related_name="retained_pvs"
    )
    scrutin = models.ForeignKey(
        "elections.Scrutin", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=120)
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["election", "name"]
        constraints = [
            models.UniqueConstraint(fields=["election", "name"], name="retained_pv_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class LitigationHold(models.Model):
    """An appeal pending against an election: while a hold is not lifted, nothing of the
    election is destroyed (``urne.site.retention``)."""

    election = models.ForeignKey(
        "elections.Election", on_delete=models.PROTECT, related_name="litigation_holds"
    )
    reason = models.CharField(max_length=500)
    set_at = models.DateTimeField()
    set_by = models.CharField(max_length=150)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.CharField(max_length=150, blank=True)
    lift_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["election", "set_at", "pk"]

    def __str__(self) -> str:
        return f"{self.election_id}: {self.reason[:40]}"
