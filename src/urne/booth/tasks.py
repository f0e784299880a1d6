"""Background jobs of the booth."""

from django.tasks import task

from .services import emargement_recover


@task()
def emargement_recover_task(older_than_seconds: int = 120) -> dict[str, int]:
    """Settle pending émargements from the urn (idempotent; safe to run at any time)."""
    from datetime import timedelta

    r = emargement_recover(older_than=timedelta(seconds=older_than_seconds))
    return {"voted": r.voted, "dropped": r.dropped, "busy": r.busy}
