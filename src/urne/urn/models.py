"""The urn store (docs/architecture.md, "The three stores"): per scrutin, the Belenios event log
as records and events, the ballots indexed by tracker and by credential, the running tally.

No column here identifies a voter: a scrutin is known by its Belenios uuid only (no key to
the voter store), a ballot by its tracker and its public credential.
"""

from django.db import models


class UrnScrutin(models.Model):
    """One scrutin's log head: where the hash chain stands and the running encrypted tally."""

    uuid = models.CharField(max_length=14, unique=True)
    # The archive's timestamp (BELENIOS header and every tar member's mtime).
    timestamp = models.BigIntegerField()
    election_hash = models.CharField(max_length=64)
    height = models.IntegerField(default=-1)
    last_event = models.CharField(max_length=64, blank=True)
    next_seq = models.IntegerField(default=0)
    ballots = models.IntegerField(default=0)
    # encrypted_tally JSON (docs/protocol.md §7) of every ballot so far, kept up to date per cast.
    tally = models.TextField()
    ended = models.BooleanField(default=False)
    # The seq of the count's first record (EndBallots), once the count has opened: what
    # follows it (tally, partial decryptions, result) is read from there (urne.count).
    count_seq = models.IntegerField(null=True, blank=True)
    # When the polling station froze the urn (`urn_freeze`): no ballot is appended after it.
    frozen_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.uuid


class UrnRecord(models.Model):
    """A tar member of the ``.bel`` archive, in archive order (seq)."""

    class Kind(models.TextChoices):
        HEADER = "header"
        DATA = "data"
        EVENT = "event"

    # db_index=False: the unique constraint below starts with scrutin (one index less per cast).
    scrutin = models.ForeignKey(
        UrnScrutin, on_delete=models.CASCADE, related_name="records", db_index=False
    )
    seq = models.IntegerField()
    kind = models.CharField(max_length=6, choices=Kind.choices)
    # sha256 hex of the body ("" for the header record BELENIOS).
    hash = models.CharField(max_length=64, blank=True)
    body = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scrutin", "seq"], name="urn_record_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scrutin_id}#{self.seq}"

    @property
    def name(self) -> str:
        return "BELENIOS" if self.kind == self.Kind.HEADER else f"{self.hash}.{self.kind}.json"


class UrnEvent(models.Model):
    """An event of the hash chain (docs/protocol.md §9)."""

    # db_index=False: the unique constraint below starts with scrutin (one index less per cast).
    scrutin = models.ForeignKey(
        UrnScrutin, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    height = models.IntegerField()
    hash = models.CharField(max_length=64)
    parent = models.CharField(max_length=64, blank=True)
    type = models.CharField(max_length=20)
    payload = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scrutin", "height"], name="urn_event_height_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scrutin_id}@{self.height} {self.type}"


class UrnBallot(models.Model):
    """A cast ballot: its tracker (public board) and its public credential (at most once)."""

    # db_index=False: the unique constraint below starts with scrutin (one index less per cast).
    scrutin = models.ForeignKey(
        UrnScrutin, on_delete=models.CASCADE, related_name="ballot_set", db_index=False
    )
    tracker = models.CharField(max_length=43)
    credential = models.CharField(max_length=64)
    height = models.IntegerField()

    class Meta:
        ordering = ["scrutin", "height"]
        constraints = [
            models.UniqueConstraint(
                fields=["scrutin", "tracker"], name="urn_ballot_tracker_unique"
            ),
            models.UniqueConstraint(
                fields=["scrutin", "credential"], name="urn_ballot_credential_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.tracker
