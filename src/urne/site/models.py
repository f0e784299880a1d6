"""The platform's own table: the rate limits' counters (ADR 0335)."""

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
