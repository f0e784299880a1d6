"""The bureau's key ceremony with holders who use the tools instead of the page (ADR 0720,
0722): the president with ``urne-trustee generate-key``, delegate 1 with belenios-tool 3.3,
delegate 2 with ``urne-trustee``, delegate 3 with belenios-tool 3.0 for its certificate then
3.3 (3.0's AES-CCM polynomial is refused). The server's coordinator output is what 3.3's
own step 6 makes; then, after a few votes, the count is done offline with 3.3 on the urn's
archive — the delegates' ``decrypt-threshold`` with the ``.dkey`` files from the page — and
the archive passes urne-verify and both tools' ``election verify``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from belenios_tools import belenios_tool
from factories.ceremony import ceremony_votes_cast, ceremony_world_make
from factories.elections import staff_login
from urne.bureau.models import Ceremony
from urne.urn.selectors import urn_archive_bytes
from urne.verify.checks import verify_archive

pytestmark = [pytest.mark.interop, pytest.mark.django_db(databases="__all__")]

URNE = [sys.executable, "-m", "urne.trustee_cli"]
GROUP = ["--group", "Ed25519"]


def run(cmd: list[str], cwd: Path, stdin: str | None = None, ok: bool = True) -> str:
    done = subprocess.run(
        cmd, cwd=cwd, input=stdin, capture_output=True, text=True, check=False, timeout=300
    )
    assert (done.returncode == 0) == ok, f"{cmd[:4]}: {done.stdout}{done.stderr}"
    return done.stdout


def test_holders_with_the_tools_and_a_count_by_belenios_tool_33(tmp_path: Path) -> None:
    bt30, bt33 = str(belenios_tool("3.0").path), str(belenios_tool("3.3").path)
    threshold_tool = {
        "3.0": [bt30, "setup", "generate-trustee-key-threshold", *GROUP],
        "3.3": [bt33, "setup", "generate-trustee-key-threshold", *GROUP],
        "urne": [*URNE, "threshold"],
    }
    world = ceremony_world_make(delegates=3, voters=4)
    e = world.election.pk
    clients = []
    for m in world.holders:
        c = Client()
        staff_login(c, m.user)
        clients.append(c)
    page = reverse("bureau:ceremony", args=[e])
    holder = reverse("bureau:ceremony_holder", args=[e])

    def upload(i: int, text: str, status: int = 302) -> str:
        response = clients[i].post(holder, {"file": SimpleUploadedFile("f", text.encode())})
        assert response.status_code == status, response.content.decode()[:1500]
        return response.content.decode()

    def public(i: int, kind: str) -> str:
        response = clients[i].get(reverse("bureau:ceremony_file", args=[e, kind]))
        assert response.status_code == 200
        return response.content.decode()

    assert clients[0].post(page, {"action": "start", "threshold": "2"}).status_code == 302
    dirs = [tmp_path / f"holder{i}" for i in range(4)]
    for d in dirs:
        d.mkdir()
    president = run([*URNE, "generate-key", "--dir", "."], dirs[0]).strip()
    upload(0, (dirs[0] / f"{president}.pubkey").read_text())

    step1 = {1: "3.3", 2: "urne", 3: "3.0"}
    later = {1: "3.3", 2: "urne", 3: "3.3"}
    ids = {}
    for i, tool in step1.items():
        ids[i] = run(
            [*threshold_tool[tool], "--step", "1", "--threshold-context", f"{i}/2/3"], dirs[i]
        ).strip()
        upload(i, (dirs[i] / f"{ids[i]}.cert").read_text())
    for i in (1, 2, 3):
        (dirs[i] / "certs.jsonl").write_text(public(i, "certs"))
        # Every tool checks the certificates (step 2) from the page's file.
        run([*threshold_tool[later[i]], "--step", "2", "--certs", "certs.jsonl"], dirs[i])
    key3 = ["--certs", "certs.jsonl", "--key", f"{ids[3]}.key"]
    ccm = run([*threshold_tool["3.0"], "--step", "3", *key3], dirs[3])
    assert "AES-GCM" in upload(3, ccm, status=400)
    for i, tool in later.items():
        args = ["--step", "3", "--certs", "certs.jsonl", "--key", f"{ids[i]}.key"]
        upload(i, run([*threshold_tool[tool], *args], dirs[i]))
    voutputs = []
    for i, tool in later.items():
        vinput = public(i, "vinput")
        args = ["--step", "5", "--certs", "certs.jsonl", "--key", f"{ids[i]}.key"]
        voutputs.append(run([*threshold_tool[tool], *args], dirs[i], stdin=vinput))
        upload(i, voutputs[-1])
    ceremony = Ceremony.objects.get()
    assert ceremony.phase == Ceremony.Phase.DONE and ceremony.setups_written_at

    # belenios-tool 3.3's own step 6 on the same public data writes the server's group and
    # the same .dkey files the page hands out.
    coordinator = tmp_path / "coordinator"
    coordinator.mkdir()
    (coordinator / "certs.jsonl").write_text(public(1, "certs"))
    polynomials = [h.polynomial for h in ceremony.holders.exclude(position=0).order_by("position")]
    (coordinator / "polynomials.jsonl").write_text("\n".join(polynomials) + "\n")
    group = run(
        [
            *threshold_tool["3.3"],
            "--step",
            "6",
            "--certs",
            "certs.jsonl",
            "--polynomials",
            "polynomials.jsonl",
        ],
        coordinator,
        stdin="".join(voutputs),
    )
    assert group.strip() == ceremony.group_json
    assert public(1, "threshold").strip() == ceremony.group_json
    for i in (1, 2, 3):
        dkey = public(i, "dkey")
        assert dkey == (coordinator / f"{ids[i]}.dkey").read_text()
        (dirs[i] / f"{ids[i]}.dkey").write_text(dkey)

    # A few votes, then the count offline with belenios-tool 3.3 on the first scrutin's archive.
    cast = ceremony_votes_cast(world)
    scrutin = world.scrutins[0]
    box = tmp_path / "box"
    box.mkdir()
    (box / f"{scrutin.uuid}.bel").write_bytes(urn_archive_bytes(scrutin_uuid=scrutin.uuid))
    run([bt33, "archive", "add-event", "--dir", ".", "--type=EndBallots"], box, stdin="")
    tally = run([bt33, "election", "compute-encrypted-tally", "--dir", "."], box)
    run([bt33, "archive", "add-event", "--dir", ".", "--type=EncryptedTally"], box, stdin=tally)
    archive = str(box / f"{scrutin.uuid}.bel")
    privkey = str(dirs[0] / f"{president}.privkey")
    decrypt = ["--archive", archive, "--trustee-id"]
    pds = [
        run([*URNE, "decrypt", *decrypt, "1", "--privkey", privkey], box),
        run(
            [
                bt33,
                "election",
                "decrypt-threshold",
                "--dir",
                ".",
                "--key",
                str(dirs[1] / f"{ids[1]}.key"),
                "--decryption-key",
                str(dirs[1] / f"{ids[1]}.dkey"),
                "--trustee-id",
                "2",
            ],
            box,
        ),
        run(
            [
                *URNE,
                "decrypt-threshold",
                *decrypt,
                "4",
                "--key",
                str(dirs[3] / f"{ids[3]}.key"),
                "--decryption-key",
                str(dirs[3] / f"{ids[3]}.dkey"),
            ],
            box,
        ),
    ]
    for pd in pds:
        run([bt33, "archive", "add-event", "--dir", ".", "--type=PartialDecryption"], box, stdin=pd)
    result_text = run([bt33, "election", "compute-result", "--dir", "."], box)
    result = json.loads(result_text)
    size = len(cast[scrutin.uuid])
    expected = [[sum(1 for n in range(size) if n % 3 == k) for k in range(3)]]
    assert result == {"result": expected}
    run([bt33, "archive", "add-event", "--dir", ".", "--type=Result"], box, stdin=result_text)
    for tool in (bt30, bt33):
        done = subprocess.run(
            [tool, "election", "verify", "--dir", "."],
            cwd=box,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0 and "all checks passed" in done.stdout + done.stderr, tool
    report = verify_archive(archive, jobs=1)
    assert report.valid, report.failures
    assert report.result == expected
