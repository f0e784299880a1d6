"""The key ceremony through its pages, holders played as urne-trustee plays them: every step
checked on its way in, the coordinator's steps on public data, every step audited, the
outcome written into each covered scrutin's urn (ADR 0722)."""

import pytest
from django.test import Client
from django.urls import reverse

from factories.ceremony import (
    ToolHolder,
    ceremony_client,
    ceremony_data,
    ceremony_holder_url,
    ceremony_open,
    ceremony_page_url,
    ceremony_run,
    ceremony_send,
    ceremony_world_make,
)
from factories.elections import staff_login, staff_make
from urne.audit.models import AuditEvent
from urne.bureau.ceremony import holder_due
from urne.bureau.models import Ceremony
from urne.crypto.encoding import loads
from urne.crypto.group import GROUP
from urne.crypto.threshold import AES_CCM, check_pedersen, decrypt_key_share
from urne.crypto.trustees import ThresholdParameters, parse_trustees
from urne.urn.models import UrnRecord
from urne.urn.selectors import urn_head

pytestmark = pytest.mark.django_db(databases="__all__")


_client, _page, _holder = ceremony_client, ceremony_page_url, ceremony_holder_url
_data, _send, _start, _run = ceremony_data, ceremony_send, ceremony_open, ceremony_run


def test_the_whole_ceremony_writes_every_covered_scrutins_setup() -> None:
    world = ceremony_world_make(delegates=3)
    tools, clients = _run(world)
    ceremony = Ceremony.objects.get(bureau=world.bureau)
    assert ceremony.phase == Ceremony.Phase.DONE and ceremony.setups_written_at
    trustees = parse_trustees(loads(ceremony.trustees_json))
    group = trustees[1]
    assert isinstance(group, ThresholdParameters) and check_pedersen(group) == []
    assert trustees[0].public_key == GROUP.mul_base(tools[0].privkey)  # type: ignore[union-attr]
    for scrutin in world.scrutins:
        head = urn_head(scrutin_uuid=scrutin.uuid)
        assert head is not None
        texts = UrnRecord.objects.using("urn").filter(scrutin=head).values_list("body", flat=True)
        assert ceremony.trustees_json in [
            t if isinstance(t, str) else bytes(t).decode() for t in texts
        ]
    # Each delegate's dkey, downloaded, opens with its own ID.key to its verification key.
    for i in (1, 2, 3):
        dkey = clients[i].get(reverse("bureau:ceremony_file", args=[world.election.pk, "dkey"]))
        assert dkey.status_code == 200 and ".dkey" in dkey["Content-Disposition"]
        share = decrypt_key_share(tools[i].seed, dkey.content.decode())
        assert GROUP.mul_base(share) == group.verification_keys[i - 1].public_key
    actions = list(
        AuditEvent.objects.filter(action__startswith="bureau.ceremony")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[0] == "bureau.ceremony_start"
    for step, count in (("key", 1), ("cert", 3), ("polynomial", 3), ("voutput", 3)):
        assert actions.count(f"bureau.ceremony_{step}") == count
    for step in ("certs", "vinputs", "group"):
        assert f"bureau.ceremony_coordinator_{step}" in actions
    assert actions[-2:] == ["bureau.ceremony_done", "bureau.ceremony_setups"]


def test_progress_and_the_proces_verbal_are_the_bureaus() -> None:
    world = ceremony_world_make(delegates=3)
    _run(world)
    secretary = _client(world.secretary)
    page = secretary.get(_page(world))
    assert page.status_code == 200
    html = page.content.decode()
    for m in world.holders:
        assert m.name in html
    assert "Terminée" in html
    pdf = secretary.get(reverse("bureau:ceremony_pv", args=[world.election.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="bureau.ceremony_pv").count() == 1
    # In English too.
    english = secretary.get("/en" + _page(world)).content.decode()
    assert "Key ceremony" in english and "Who has done which step" in english
    # The secretary holds no key: no holder page.
    assert secretary.get(_holder(world)).status_code == 403
    # Staff of another bureau, a manager: no page.
    other = Client()
    staff_login(other, staff_make("delegate"))
    assert other.get(_page(world)).status_code == 403
    manager = Client()
    staff_login(manager, staff_make("manager"))
    assert manager.get(_page(world)).status_code == 403


def test_two_delegates_each_hold_a_single_key() -> None:
    world = ceremony_world_make(delegates=2)
    clients = [_start(world, threshold="")] + [_client(m) for m in world.delegates]
    tools = [ToolHolder() for _ in clients]
    for client, tool in zip(clients, tools, strict=True):
        assert _data(client, world)["due"] == "key"
        _send(client, world, tool.single())
    ceremony = Ceremony.objects.get(bureau=world.bureau)
    assert ceremony.threshold is None and ceremony.phase == Ceremony.Phase.DONE
    trustees = parse_trustees(loads(ceremony.trustees_json))
    assert [t.public_key for t in trustees] == [  # type: ignore[union-attr]
        GROUP.mul_base(t.privkey)
        for t in tools  # type: ignore[arg-type]
    ]
    assert all(urn_head(scrutin_uuid=s.uuid) for s in world.scrutins)


def test_only_the_president_opens_with_a_possible_threshold() -> None:
    world = ceremony_world_make(delegates=3)
    delegate = _client(world.delegates[0])
    response = delegate.post(_page(world), {"action": "start", "threshold": "2"})
    assert response.status_code == 400 and "Seul le président" in response.content.decode()
    president = _client(world.president)
    for bad in ("1", "3", ""):
        response = president.post(_page(world), {"action": "start", "threshold": bad})
        assert response.status_code == 400, bad
    assert president.post(_page(world), {"action": "start", "threshold": "x"}).status_code == 400
    assert not Ceremony.objects.exists()
    _start(world)
    response = president.post(_page(world), {"action": "start", "threshold": "2"})
    assert response.status_code == 400 and Ceremony.objects.count() == 1


def test_a_wrong_file_is_refused_with_its_reason_and_nothing_kept() -> None:
    world = ceremony_world_make(delegates=3)
    president = _start(world)
    d1, d2, d3 = (_client(m) for m in world.delegates)
    t1, t2, t3 = ToolHolder(), ToolHolder(), ToolHolder()
    for text in ("", "not json", '{"pok":1}', t1.step1(1, 2, 3)):
        _send(president, world, text, status=400)
    # A certificate for another place, and one whose signature is altered.
    assert "contexte 1/2/3" in _send(d1, world, t1.step1(2, 2, 3), 400).content.decode()
    forged = t1.step1(1, 2, 3).replace('"challenge":"', '"challenge":"1', 1)
    _send(d1, world, forged, 400)
    _send(d1, world, t1.step1(1, 2, 3))
    _send(d1, world, t1.cert, 400)  # nothing due any more
    _send(d2, world, t1.cert, 400)  # someone else's certificate
    _send(d2, world, t2.step1(2, 2, 3))
    _send(d3, world, t3.step1(3, 2, 3))
    certs = _data(d1, world)["certs"]
    # belenios-tool 3.0's AES-CCM polynomial is refused (ADR 0720); another's too.
    response = _send(d1, world, t1.step3(certs, cipher=AES_CCM), 400)
    assert "AES-GCM" in response.content.decode()
    _send(d1, world, t2.step3(certs), 400)
    _send(d1, world, t1.step3(certs))
    # An uploaded file goes the same way.
    upload = Client()
    staff_login(upload, world.delegates[1].user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = upload.post(
        _holder(world), {"file": SimpleUploadedFile("p.json", t2.step3(certs).encode())}
    )
    assert response.status_code == 302
    holder = Ceremony.objects.get().holders.get(position=1)
    assert holder_due(holder) is None and holder.polynomial


def test_without_vote_codes_the_keys_are_kept_and_the_setups_written_later() -> None:
    world = ceremony_world_make(delegates=2, codes=False)
    clients = [_start(world, threshold="")] + [_client(m) for m in world.delegates]
    for client in clients:
        _send(client, world, ToolHolder().single())
    ceremony = Ceremony.objects.get()
    assert ceremony.phase == Ceremony.Phase.DONE and ceremony.setups_written_at is None
    assert clients[0].post(_page(world), {"action": "setups"}).status_code == 400
    from urne.authority.services import credentials_generate

    credentials_generate(election=world.election, actor="tests")
    assert clients[1].post(_page(world), {"action": "setups"}).status_code == 302
    assert all(urn_head(scrutin_uuid=s.uuid) for s in world.scrutins)


JUNK = [
    "[]",
    '"x"',
    "null",
    "1e400",
    "[" * 5000,
    '{"message":"{}","signature":{"challenge":"1","response":"2"}}',
    '{"pok":{"challenge":"-1","response":"x"},"public_key":"00"}',
    '{"polynomial":"{}","secrets":[],"coefexps":{"message":"","signature":{}}}',
    '{"private_key":"{}","public_key":{}}',
    '{"a":' * 300 + "1" + "}" * 300,
    "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
]


def test_junk_at_every_step_is_a_clear_400() -> None:
    world = ceremony_world_make(delegates=3)
    president = _start(world)
    clients = [_client(m) for m in world.delegates]
    tools = [ToolHolder() for _ in clients]
    for text in JUNK:
        _send(president, world, text, 400)
        _send(clients[0], world, text, 400)
    for i, (c, t) in enumerate(zip(clients, tools, strict=True), start=1):
        _send(c, world, t.step1(i, 2, 3))
    certs = _data(clients[0], world)["certs"]
    for text in JUNK:
        _send(clients[0], world, text, 400)
    for c, t in zip(clients, tools, strict=True):
        _send(c, world, t.step3(certs))
    for text in JUNK:
        _send(clients[0], world, text, 400)
    # A wrong file name kind, and a non-UTF-8 upload.
    url = reverse("bureau:ceremony_file", args=[world.election.pk, "nope"])
    assert clients[0].get(url).status_code == 404
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = clients[0].post(_holder(world), {"file": SimpleUploadedFile("f", b"\xff\xfe")})
    assert response.status_code == 400
