"""The platform's count end to end with the holders' own tool: the urns' archives after the
opening, ``urne-trustee decrypt-bureau`` by the president and two delegates (files as the
demo writes them), the uploads, the result; the final archive of each scrutin passes
urne-verify and belenios-tool 3.0 and 3.3 (``election verify``, every ballot
``verify-ballot``, ``compute-result`` equal to ours)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from factories.count import count_world_make
from factories.elections import staff_make
from urne.count.models import ScrutinCount
from urne.count.services import count_open, decryptions_upload
from urne.crypto.archive import events_with_data, parse_header, read_records, write_records
from urne.crypto.encoding import dumps
from urne.crypto.tally import result_to_json
from urne.urn.selectors import urn_archive_bytes
from urne.verify.checks import verify_archive

pytestmark = [pytest.mark.interop, pytest.mark.django_db(databases=["default", "authority", "urn"])]

URNE = [sys.executable, "-m", "urne.trustee_cli"]


def _trustee(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*URNE, *map(str, args)], capture_output=True, text=True, check=False)


def _archives(world, folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    for cs in world.setup.scrutins:
        uuid = cs.scrutin.uuid
        (folder / f"{uuid}.bel").write_bytes(urn_archive_bytes(scrutin_uuid=uuid))


@pytest.fixture
def counted(tmp_path):
    world = count_world_make(voters=6, lists=3, scrutins=2)
    holders = [staff_make("bureau"), staff_make("delegate"), staff_make("delegate")]
    count_open(election=world.election, actor=holders[0])
    _archives(world, tmp_path / "bureau")
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "president.privkey").write_text(json.dumps(str(world.keys.president_key)))
    for m in (1, 3):
        (keys / f"delegate-{m}.key").write_text(world.keys.group.seeds[m - 1])
        (keys / f"delegate-{m}.dkey").write_text(world.keys.group.dkeys[m - 1])
    runs = [
        ("--privkey", keys / "president.privkey"),
        ("--key", keys / "delegate-1.key", "--decryption-key", keys / "delegate-1.dkey"),
        ("--key", keys / "delegate-3.key", "--decryption-key", keys / "delegate-3.dkey"),
    ]
    for n, (holder, args) in enumerate(zip(holders, runs, strict=True)):
        out = tmp_path / f"holder-{n}.json"
        done = _trustee("decrypt-bureau", tmp_path / "bureau", *args, "--out", out)
        assert done.returncode == 0, done.stderr
        decryptions_upload(election=world.election, actor=holder, content=out.read_bytes())
    final = tmp_path / "final"
    _archives(world, final)
    return world, final


def test_the_holders_tool_refuses_a_key_that_is_no_trustees(tmp_path):
    world = count_world_make(voters=2, scrutins=1)
    count_open(election=world.election, actor=staff_make("bureau"))
    _archives(world, tmp_path / "bureau")
    (tmp_path / "other.privkey").write_text(json.dumps("12345"))
    done = _trustee(
        "decrypt-bureau", tmp_path / "bureau", "--privkey", tmp_path / "other.privkey",
        "--out", tmp_path / "x.json",
    )  # fmt: skip
    assert done.returncode == 1 and "not one of the scrutin's trustees" in done.stderr
    assert not (tmp_path / "x.json").exists()


def test_the_final_archives_end_with_the_count_and_pass_every_verifier(counted, belenios_tool):
    world, final = counted
    for cs in world.setup.scrutins:
        uuid = cs.scrutin.uuid
        path = final / f"{uuid}.bel"
        kinds = [e.type for e, _ in events_with_data(read_records(path.read_bytes()))]
        assert kinds[-6:] == [
            "EndBallots", "EncryptedTally", "PartialDecryption", "PartialDecryption",
            "PartialDecryption", "Result",
        ]  # fmt: skip
        report = verify_archive(str(path), jobs=1)
        assert report.valid, report.failures
        one = final.parent / f"one-{uuid}"
        one.mkdir()
        (one / f"{uuid}.bel").write_bytes(path.read_bytes())
        done = belenios_tool.run("election", "verify", "--dir", one)
        assert "all checks passed" in done.stdout + done.stderr
        # Every ballot against the setup alone (``verify`` does not check ballots reliably).
        records = read_records(path.read_bytes())
        setup = final.parent / f"setup-{uuid}"
        setup.mkdir()
        (setup / f"{uuid}.bel").write_bytes(write_records(records[:6], parse_header(records[0])))
        ballots = [d[0] for e, d in events_with_data(records) if e.type == "Ballot"]
        assert len(ballots) == 6
        for n, ballot in enumerate(ballots):
            file = setup / f"ballot-{n}.json"
            file.write_bytes(ballot.body)
            belenios_tool.run("election", "verify-ballot", "--dir", setup, "--ballot", file)
        row = ScrutinCount.objects.get(scrutin=cs.scrutin)
        ours = dumps(result_to_json([row.counts]))
        assert belenios_tool.run("election", "compute-result", "--dir", one).stdout.strip() == ours


def test_the_pvs_numbers_are_belenios_tools_result_of_the_final_archive(counted, belenios_tool):
    """Issue 15, item 5: the procès-verbal states the counts belenios-tool 3.3 computes from
    the published archive (blank, voters, each list's votes)."""
    import io

    from django.test import Client
    from pypdf import PdfReader

    from urne.count.services import result_proclaim

    world, final = counted
    for cs in world.setup.scrutins:
        uuid = cs.scrutin.uuid
        result_proclaim(scrutin=cs.scrutin, actor=staff_make("bureau"), seed="s")
        one = final.parent / f"pv-{uuid}"
        one.mkdir()
        (one / f"{uuid}.bel").write_bytes((final / f"{uuid}.bel").read_bytes())
        theirs = json.loads(belenios_tool.run("election", "compute-result", "--dir", one).stdout)
        counts = [int(v) for v in theirs["result"][0]]
        pdf = Client().get(f"/resultats/{uuid}/proces-verbal.pdf").content
        text = " ".join(
            " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split()
        )
        assert f"Bulletins blancs {counts[0]}" in text
        assert f"Votants {sum(counts)}" in text
        for name, votes in zip(cs.election.questions[0].answers, counts[1:], strict=True):
            assert f"{name} {votes} " in text
