"""Background work of the authority (ids only; may run twice: a re-run regenerates)."""

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.tasks import task


@task()
def credentials_generate_task(*, election_id: int, actor_id: int, spares: int) -> None:
    from urne.elections.models import Election

    from .services import credentials_generate

    election = Election.objects.get(pk=election_id)
    actor = get_user_model().objects.get(pk=actor_id)
    credentials_generate(
        election=election,
        actor=actor,
        spares=spares,
        progress=lambda done, total: generation_progress_set(election_id, done, total),
    )
    generation_progress_set(election_id, None, None)


def _key(election_id: int) -> str:
    return f"urne:authority:generation:{election_id}"


def generation_progress_set(election_id: int, done: int | None, total: int | None) -> None:
    """The running generation's progress, for the back-office page (the generation commits
    once, at the end, so the database cannot show it)."""
    if done is None:
        cache.delete(_key(election_id))
    else:
        cache.set(_key(election_id), (done, total), timeout=3600)


def generation_progress(election_id: int) -> tuple[int, int] | None:
    value = cache.get(_key(election_id))
    return tuple(value) if value else None
