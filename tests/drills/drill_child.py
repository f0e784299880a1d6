"""A child process on a drill's private PostgreSQL cluster (URNE_DB_PORT): ``migrate`` the
three stores; ``cast N``: an open scrutin, N voters, each casting one ballot through the
HTTP cast endpoint, prints the scrutin and the receipts' trackers; ``check UUID``: the
scrutin's ballots in the urn, its émargements and the urn's head."""

import json
import sys

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from factories.accounts import voter_client_login  # noqa: E402
from factories.booth import ballot_make, cast_setup_make  # noqa: E402
from urne.booth.models import Emargement  # noqa: E402
from urne.urn.models import UrnBallot, UrnScrutin  # noqa: E402


def migrate() -> dict[str, object]:
    for alias in ("default", "authority", "urn"):
        call_command("migrate", database=alias, verbosity=0)
    return {"migrated": True}


def cast(n: int) -> dict[str, object]:
    setup = cast_setup_make(voters=n, lists=3, seed="drill")
    cs = setup.scrutins[0]
    trackers = []
    for k, voter in enumerate(setup.voters):
        client = Client()
        voter_client_login(client, voter)
        body = json.dumps({"scrutin": cs.scrutin.uuid, "ballot": ballot_make(cs, voter.pk, k % 3)})
        r = client.post(reverse("booth:cast"), body, content_type="application/json")
        assert r.status_code == 200, r.content
        trackers.append(r.json()["tracker"])
    return {"scrutin": cs.scrutin.uuid, "trackers": trackers}


def storm(n: int, out: str) -> dict[str, object]:
    """Cast one ballot per voter, one after the other, writing each answered tracker to
    ``out`` as soon as the 200 is in; stops at the first failure (the primary killed)."""
    setup = cast_setup_make(voters=n, lists=3, seed="storm")
    cs = setup.scrutins[0]
    answered = 0
    with open(out, "a") as f:
        f.write(json.dumps({"scrutin": cs.scrutin.uuid}) + "\n")
        f.flush()
        for k, voter in enumerate(setup.voters):
            try:
                client = Client()
                voter_client_login(client, voter)
                ballot = ballot_make(cs, voter.pk, k % 3)
                body = json.dumps({"scrutin": cs.scrutin.uuid, "ballot": ballot})
                r = client.post(reverse("booth:cast"), body, content_type="application/json")
            except Exception:
                break
            if r.status_code != 200:
                break
            f.write(json.dumps({"tracker": r.json()["tracker"]}) + "\n")
            f.flush()
            answered += 1
    return {"scrutin": cs.scrutin.uuid, "answered": answered}


def recover() -> dict[str, object]:
    call_command("cast_recover", older_than=0, verbosity=0)
    return {"recovered": True}


def check(uuid: str) -> dict[str, object]:
    head = UrnScrutin.objects.using("urn").get(uuid=uuid)
    return {
        "trackers": sorted(
            UrnBallot.objects.using("urn")
            .filter(scrutin__uuid=uuid)
            .values_list("tracker", flat=True)
        ),
        "voted": Emargement.objects.filter(scrutin__uuid=uuid, state="voted").count(),
        "head": [head.height, head.last_event, head.ballots],
    }


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    commands = {
        "migrate": lambda: migrate(),
        "cast": lambda: cast(int(args[0])),
        "storm": lambda: storm(int(args[0]), args[1]),
        "recover": lambda: recover(),
        "check": lambda: check(args[0]),
    }
    print(json.dumps(commands[command]()))
