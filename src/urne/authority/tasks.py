"""Background work of the authority (ids only; may run twice: a re-run regenerates)."""

from django.contrib.auth import get_user_model
from django.tasks import task


@task()
def credentials_generate_task(*, election_id: int, actor_id: int, spares: int) -> None:
    from urne.elections.models import Election

    from .services import credentials_generate

    election = Election.objects.get(pk=election_id)
    actor = get_user_model().objects.get(pk=actor_id)
    credentials_generate(election=election, actor=actor, spares=spares)
