"""A key ceremony and a count where each holder uses either tool: ``urne-trustee`` or
belenios-tool 3.0. Their files must be interchangeable and the result verifiable by both."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from belenios_tools import belenios_tool
from urne.verify.checks import verify_archive

pytestmark = pytest.mark.interop

URNE = [sys.executable, "-m", "urne.trustee_cli"]


def _tool() -> str:
    # The key ceremony: 3.3 no longer reads 3.0's AES-CCM shares (tests/interop/conftest.py).
    return str(belenios_tool("3.0").path)


def run(cmd: list[str], cwd: Path, stdin: str | None = None) -> str:
    done = subprocess.run(cmd, cwd=cwd, input=stdin, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{cmd[:4]} failed: {done.stderr}"
    return done.stdout


def test_mixed_ceremony_and_count(tmp_path: Path) -> None:
    bt = _tool()
    group = ["--group", "Ed25519"]
    tools = {
        1: [*URNE, "threshold"],
        2: [bt, "setup", "generate-trustee-key-threshold", *group],
        3: [*URNE, "threshold"],
    }
    work = tmp_path / "threshold"
    work.mkdir()
    ids = {}
    for m, tool in tools.items():
        ids[m] = run([*tool, "--step", "1", "--threshold-context", f"{m}/2/3"], work).strip()
    (work / "certs.jsons").write_text("".join((work / f"{ids[m]}.cert").read_text() for m in tools))
    for tool in (tools[1], tools[2]):
        run([*tool, "--step", "2", "--certs", "certs.jsons"], work)
    # A group with a 3.0 member: every member writes 3.0's AES-CCM channels (ADR 0720).
    ccm = {1: ["--pki-cipher", "AES-CCM"], 2: [], 3: ["--pki-cipher", "AES-CCM"]}
    polys = "".join(
        run(
            [*tool, "--step", "3", "--certs", "certs.jsons", "--key", f"{ids[m]}.key", *ccm[m]],
            work,
        )
        for m, tool in tools.items()
    )
    (work / "polynomials.jsons").write_text(polys)
    # The coordinator's step 4 with belenios-tool, step 6 with both tools (outputs must agree).
    run(
        [*tools[2], "--step", "4", "--certs", "certs.jsons", "--polynomials", "polynomials.jsons"],
        work,
    )
    voutputs = "".join(
        run(
            [*tool, "--step", "5", "--certs", "certs.jsons", "--key", f"{ids[m]}.key"],
            work,
            stdin=(work / f"{ids[m]}.vinput").read_text(),
        )
        for m, tool in tools.items()
    )
    theirs = tmp_path / "step6-belenios"
    theirs.mkdir()
    for f in ("certs.jsons", "polynomials.jsons"):
        shutil.copy(work / f, theirs / f)
    ours = run(
        [
            *[*URNE, "threshold"],
            "--step",
            "6",
            "--certs",
            "certs.jsons",
            "--polynomials",
            "polynomials.jsons",
        ],
        work,
        stdin=voutputs,
    )
    expected = run(
        [*tools[2], "--step", "6", "--certs", "certs.jsons", "--polynomials", "polynomials.jsons"],
        theirs,
        stdin=voutputs,
    )
    assert ours == expected
    for m in tools:
        assert (work / f"{ids[m]}.dkey").read_text() == (theirs / f"{ids[m]}.dkey").read_text()

    # The president's single key from urne-trustee; the election set up by belenios-tool.
    setup = tmp_path / "setup"
    setup.mkdir()
    president = run([*URNE, "generate-key"], setup).strip()
    (setup / "public_keys.jsons").write_text((setup / f"{president}.pubkey").read_text())
    (setup / "threshold.json").write_text(ours)
    run([bt, "setup", "make-trustees", "--dir", "."], setup)
    uuid = run([bt, "setup", "generate-token"], setup).strip()
    template = {
        "description": "d",
        "name": "n",
        "questions": [
            {
                "answers": ["Liste A", "Liste B", "Liste C"],
                "blank": True,
                "min": 1,
                "max": 1,
                "question": "Pour quelle liste votez-vous ?",
            }
        ],
    }
    (setup / "template.json").write_text(json.dumps(template))
    run(
        [
            bt,
            "setup",
            "make-election",
            "--dir",
            ".",
            "--uuid",
            uuid,
            *group,
            "--template",
            "template.json",
        ],
        setup,
    )
    run(
        [bt, "setup", "generate-credentials", "--dir", ".", "--uuid", uuid, *group, "--count", "4"],
        setup,
    )
    box = tmp_path / "box"
    box.mkdir()
    privcreds = next(setup.glob("*.privcreds"))
    pubcreds = next(setup.glob("*.pubcreds"))
    run(
        [
            bt,
            "archive",
            "init",
            "--dir",
            str(box),
            "--election",
            str(setup / "election.json"),
            "--trustees",
            str(setup / "trustees.json"),
            "--public-creds",
            str(pubcreds),
        ],
        box,
    )
    choices = [[[0, 1, 0, 0]], [[0, 0, 1, 0]], [[1, 0, 0, 0]], [[0, 1, 0, 0]]]
    creds = (
        json.loads(privcreds.read_text())
        if privcreds.read_text().startswith("{")
        else {line.split()[0]: line.split()[1] for line in privcreds.read_text().splitlines()}
    )
    for i, (cred, choice) in enumerate(zip(creds.values(), choices, strict=True)):
        (box / f"cred{i}").write_text(cred)
        (box / f"choice{i}").write_text(json.dumps(choice))
        ballot = run(
            [
                bt,
                "election",
                "generate-ballot",
                "--dir",
                ".",
                "--privcred",
                f"cred{i}",
                "--choice",
                f"choice{i}",
            ],
            box,
        )
        run([bt, "archive", "add-event", "--dir", ".", "--type=Ballot"], box, stdin=ballot)
    run([bt, "archive", "add-event", "--dir", ".", "--type=EndBallots"], box, stdin="")
    tally = run([bt, "election", "compute-encrypted-tally", "--dir", "."], box)
    run([bt, "archive", "add-event", "--dir", ".", "--type=EncryptedTally"], box, stdin=tally)
    archive = str(next(box.glob("*.bel")))
    # The count: president and member 2 with urne-trustee, member 3 with belenios-tool.
    pds = [
        run(
            [
                *URNE,
                "decrypt",
                "--archive",
                archive,
                "--privkey",
                str(setup / f"{president}.privkey"),
                "--trustee-id",
                "1",
            ],
            box,
        ),
        run(
            [
                *URNE,
                "decrypt-threshold",
                "--archive",
                archive,
                "--key",
                str(work / f"{ids[2]}.key"),
                "--decryption-key",
                str(work / f"{ids[2]}.dkey"),
                "--trustee-id",
                "3",
            ],
            box,
        ),
        run(
            [
                bt,
                "election",
                "decrypt-threshold",
                "--dir",
                ".",
                "--key",
                str(work / f"{ids[3]}.key"),
                "--decryption-key",
                str(work / f"{ids[3]}.dkey"),
                "--trustee-id",
                "4",
            ],
            box,
        ),
    ]
    for pd in pds:
        run([bt, "archive", "add-event", "--dir", ".", "--type=PartialDecryption"], box, stdin=pd)
    result = run([bt, "election", "compute-result", "--dir", "."], box)
    assert json.loads(result) == {"result": [[1, 2, 1, 0]]}
    run([bt, "archive", "add-event", "--dir", ".", "--type=Result"], box, stdin=result)
    assert (
        "all checks passed"
        in run([bt, "election", "verify", "--dir", "."], box)
        + subprocess.run(
            [bt, "election", "verify", "--dir", "."],
            cwd=box,
            capture_output=True,
            text=True,
            check=False,
        ).stderr
    )
    report = verify_archive(archive, jobs=1)
    assert report.valid, report.failures
    assert report.result == [[1, 2, 1, 0]]


def test_decrypt_refuses_an_archive_that_does_not_verify(tmp_path: Path) -> None:
    from urne.simulate import simulate

    sim_dir = tmp_path / "sim"
    sim = simulate(voters=3, lists=2, seed="refuse", out=sim_dir)
    archive = sim_dir / f"{sim.election.uuid}.bel"
    data = bytearray(archive.read_bytes())
    data[-600] ^= 1  # inside the result record: the archive no longer verifies
    archive.write_bytes(bytes(data))
    privkey = next((sim_dir / "trustees" / "president").glob("*.privkey"))
    done = subprocess.run(
        [
            *URNE,
            "decrypt",
            "--archive",
            str(archive),
            "--privkey",
            str(privkey),
            "--trustee-id",
            "1",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "refusing to decrypt" in done.stderr
