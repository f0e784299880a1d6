"""A child process on a drill's private PostgreSQL cluster (URNE_DB_PORT): ``migrate`` the
three stores; ``cast N``: an open scrutin, N voters, each casting one ballot through the
HTTP cast endpoint, prints the scrutin and the receipts' trackers; ``check UUID``: the
scrutin's ballots in the urn, its émargements and the urn's head; ``switch_storm N OUT
POINTER``: N casts that go on through a switchover (a refused cast is tried again; the port
written in POINTER is where the application is pointed)."""

import json
import os
import sys
import time

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
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


def _pointed(pointer: str, port: str) -> str:
    """The port POINTER names, the stores' connections moved there when it changed (what
    pointing the application to the promoted standby is: another host, new connections)."""
    try:
        with open(pointer) as f:
            wanted = f.read().strip() or port
    except FileNotFoundError:
        return port
    if wanted != port:
        for alias in ("default", "authority", "urn"):
            connections[alias].close()
            connections[alias].settings_dict["PORT"] = wanted
    return wanted


def switch_storm(n: int, out: str, pointer: str, seconds: float = 240.0) -> dict[str, object]:
    """Cast one ballot per voter, one after the other, through a switchover: each answer
    (tracker and time) or refusal (time) is written to ``out`` at once; a refused cast is
    tried again 50 ms later with the same voter (a resend is safe: an answered one comes back
    ``resent``). Stops after N answers, or ``seconds``."""
    setup = cast_setup_make(voters=n, lists=3, seed="switch")
    cs = setup.scrutins[0]
    port = os.environ["URNE_DB_PORT"]
    deadline = time.monotonic() + seconds
    answered = 0
    with open(out, "a") as f:
        f.write(json.dumps({"scrutin": cs.scrutin.uuid}) + "\n")
        f.flush()
        for k, voter in enumerate(setup.voters):
            ballot = ballot_make(cs, voter.pk, k % 3)
            body = json.dumps({"scrutin": cs.scrutin.uuid, "ballot": ballot})
            while time.monotonic() < deadline:
                port = _pointed(pointer, port)
                try:
                    client = Client()
                    voter_client_login(client, voter)
                    r = client.post(reverse("booth:cast"), body, content_type="application/json")
                    ok = r.status_code == 200
                except Exception:
                    ok = False
                    for alias in ("default", "authority", "urn"):
                        connections[alias].close()
                if ok:
                    line = {"tracker": r.json()["tracker"], "t": time.time(), "port": port}
                    f.write(json.dumps(line) + "\n")
                    f.flush()
                    answered += 1
                    break
                f.write(json.dumps({"refused": time.time()}) + "\n")
                f.flush()
                time.sleep(0.05)
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
        "switch_storm": lambda: switch_storm(int(args[0]), args[1], args[2]),
        "recover": lambda: recover(),
        "check": lambda: check(args[0]),
    }
    print(json.dumps(commands[command]()))
