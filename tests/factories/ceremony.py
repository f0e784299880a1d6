"""Key-ceremony factories: an election with lists and vote codes, its bureau (a president, a
secretary and ``delegates`` delegates, each with a staff account of their own, as if they had
accepted their invitations), and holders played in Python as urne-trustee plays them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.test import Client
from django.urls import reverse

from factories.authority import listed_election_make
from factories.elections import staff_login, staff_make
from urne.bureau.models import Bureau, Member
from urne.crypto.encoding import dumps, loads
from urne.crypto.threshold import AES_GCM, Context, VInput, step1, step3, step5
from urne.crypto.trustees import SignedMessage, generate_single_key
from urne.elections.models import Union


@dataclass
class CeremonyWorld:
    election: Any
    scrutins: list[Any]
    voters: list[Any]
    bureau: Bureau
    president: Member
    secretary: Member
    delegates: list[Member]

    @property
    def holders(self) -> list[Member]:
        return [self.president, *self.delegates]


def ceremony_world_make(
    *, delegates: int = 3, codes: bool = True, voters: int = 3, window: str | None = None
) -> CeremonyWorld:
    from django.utils import timezone

    from urne.authority.services import credentials_generate

    election, scrutins, people = listed_election_make(voters=voters, window=window)
    if codes:
        credentials_generate(election=election, actor="tests")
    bureau = Bureau.objects.create(election=election)
    now = timezone.now()

    def member(role: str, group: str, name: str, union: Union | None = None) -> Member:
        return Member.objects.create(
            bureau=bureau,
            role=role,
            union=union,
            name=name,
            email=f"{name.lower().replace(' ', '.')}@ac-lyon.fr",
            user=staff_make(group),
            invited_at=now,
            joined_at=now,
        )

    unions = [
        Union.objects.create(election=election, name=f"Union {n}", acronym=f"U{n}")
        for n in range(1, delegates + 1)
    ]
    return CeremonyWorld(
        election=election,
        scrutins=scrutins,
        voters=people,
        bureau=bureau,
        president=member(Member.Role.PRESIDENT, "bureau", "Pia Président"),
        secretary=member(Member.Role.SECRETARY, "bureau", "Sam Secrétaire"),
        delegates=[
            member(Member.Role.DELEGATE, "delegate", f"Dé Légué{n}", u)
            for n, u in enumerate(unions, 1)
        ],
    )


@dataclass
class ToolHolder:
    """A holder who runs urne-trustee: its private files stay in this object."""

    privkey: int | None = None
    seed: str = ""
    cert: str = ""
    outputs: dict[str, str] = field(default_factory=dict)

    def single(self) -> str:
        self.privkey, tpk = generate_single_key()
        return dumps(tpk.to_json())

    def step1(self, index: int, threshold: int, size: int) -> str:
        self.seed, cert = step1(Context(index, threshold, size))
        self.cert = dumps(cert.to_json())
        return self.cert

    def step3(self, certs: list[dict[str, Any]], cipher: str = AES_GCM) -> str:
        signed = [SignedMessage.of_json(c) for c in certs]
        return dumps(step3(signed, self.seed, algorithm=cipher).to_json())

    def step5(self, certs: list[dict[str, Any]], vinput: str) -> str:
        signed = [SignedMessage.of_json(c) for c in certs]
        return dumps(step5(signed, self.seed, VInput.of_json(loads(vinput))).to_json())


def ceremony_votes_cast(world: CeremonyWorld) -> dict[str, list[str]]:
    """Every voter votes in every covered scrutin with their vote code (choices cycle through
    blank and the lists), straight into the urn as the cast leaves it; the ballots' texts by
    scrutin uuid."""
    from urne.authority.codes import credential_of_code
    from urne.authority.models import CredentialSet
    from urne.authority.services import code_derive
    from urne.crypto.ballot import create_ballot, parse_ballot
    from urne.crypto.credentials import derive_secret
    from urne.urn.selectors import urn_election
    from urne.urn.services import urn_ballot_append

    cset = CredentialSet.objects.get(election_id=world.election.pk)
    out: dict[str, list[str]] = {}
    for scrutin in world.scrutins:
        crypto = urn_election(scrutin_uuid=scrutin.uuid)
        assert crypto is not None
        size = len(crypto.questions[0].answers) + 1
        for n, voter in enumerate(world.voters):
            code = code_derive(credential_set=cset, voter_id=voter.pk, index=0)
            secret = derive_secret(scrutin.uuid, credential_of_code(code))
            vector = [[1 if k == n % size else 0 for k in range(size)]]
            text = dumps(create_ballot(crypto, secret, vector).to_json())
            urn_ballot_append(
                scrutin_uuid=scrutin.uuid, ballot=parse_ballot(text), ballot_text=text
            )
            out.setdefault(scrutin.uuid, []).append(text)
    return out


# -- the ceremony through its pages, each holder in its own session --------------------------


def ceremony_client(member: Member) -> Client:
    client = Client()
    staff_login(client, member.user)
    return client


def ceremony_page_url(world: CeremonyWorld) -> str:
    return reverse("bureau:ceremony", args=[world.election.pk])


def ceremony_holder_url(world: CeremonyWorld) -> str:
    return reverse("bureau:ceremony_holder", args=[world.election.pk])


def ceremony_data(client: Client, world: CeremonyWorld) -> dict[str, Any]:
    response = client.get(ceremony_holder_url(world))
    assert response.status_code == 200
    return response.context["data"]


def ceremony_send(client: Client, world: CeremonyWorld, text: str, status: int = 302) -> Any:
    response = client.post(ceremony_holder_url(world), {"public": text})
    assert response.status_code == status, response.content.decode()[:2000]
    return response


def ceremony_open(world: CeremonyWorld, threshold: str = "2") -> Client:
    president = ceremony_client(world.president)
    response = president.post(ceremony_page_url(world), {"action": "start", "threshold": threshold})
    assert response.status_code == 302
    return president


def ceremony_run(
    world: CeremonyWorld, *, opened: bool = False
) -> tuple[dict[int, ToolHolder], dict[int, Client]]:
    """The whole ceremony with t = 2, each holder in its own session (``opened``: the
    president opened it already)."""
    clients = {0: ceremony_client(world.president) if opened else ceremony_open(world)}
    tools = {i: ToolHolder() for i in range(len(world.holders))}
    for i, m in enumerate(world.delegates, start=1):
        clients[i] = ceremony_client(m)
    ceremony_send(clients[0], world, tools[0].single())
    n = len(world.delegates)
    for i in range(1, n + 1):
        data = ceremony_data(clients[i], world)
        assert data["due"] == "cert" and data["position"] == i
        ceremony_send(clients[i], world, tools[i].step1(i, 2, n))
    for i in range(1, n + 1):
        data = ceremony_data(clients[i], world)
        assert data["due"] == "polynomial" and len(data["certs"]) == n
        ceremony_send(clients[i], world, tools[i].step3(data["certs"]))
    for i in range(1, n + 1):
        data = ceremony_data(clients[i], world)
        assert data["due"] == "voutput"
        vinput = clients[i].get(reverse("bureau:ceremony_file", args=[world.election.pk, "vinput"]))
        assert vinput.status_code == 200
        tools[i].outputs["dkey"] = ""
        ceremony_send(clients[i], world, tools[i].step5(data["certs"], vinput.content.decode()))
    return tools, clients
