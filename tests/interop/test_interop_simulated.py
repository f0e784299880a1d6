"""Our archives through belenios-tool 3.0: an archive written by ``urne.simulate`` (single
president + threshold group) passes ``election verify``, every ballot passes
``verify-ballot`` (``verify`` alone does not check ballots reliably), and the tool's
``compute-result`` and ``compute-encrypted-tally`` agree with ours."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from urne.crypto.encoding import dumps
from urne.crypto.tally import result_to_json, sized_tally_json, tally_text
from urne.simulate import simulate
from urne.verify.checks import verify_archive

pytestmark = pytest.mark.interop

VOTERS, LISTS = 12, 4


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    out = tmp_path_factory.mktemp("simulated")
    sim = simulate(voters=VOTERS, lists=LISTS, seed="interop-simulated", out=out)
    return sim, out


def test_our_verifier_accepts_it(simulated):
    sim, out = simulated
    report = verify_archive(str(out / f"{sim.election.uuid}.bel"), jobs=1)
    assert report.failures == []
    assert report.result == sim.result
    assert sim.result == json.loads((out / "expected_result.json").read_text())["result"]


def test_belenios_tool_verifies_the_archive(belenios_tool, simulated):
    _, out = simulated
    done = belenios_tool.run("election", "verify", "--dir", out)
    assert done.returncode == 0
    assert "all checks passed" in done.stdout + done.stderr


def test_belenios_tool_verifies_the_setup_only_archive(belenios_tool, simulated):
    _, out = simulated
    done = belenios_tool.run("election", "verify", "--dir", out / "archive-setup-only")
    assert done.returncode == 0


def test_every_ballot_passes_verify_ballot(belenios_tool, simulated):
    _, out = simulated
    files = sorted((out / "ballots").glob("[0-9]*.json"))
    assert len(files) == VOTERS
    for path in files:
        done = belenios_tool.run(
            "election",
            "verify-ballot",
            "--dir",
            out / "archive-setup-only",
            "--ballot",
            path,
            check=False,
        )
        assert done.returncode == 0, f"{path.name}: {done.stdout}{done.stderr}"
        assert "ballot is valid" in done.stdout + done.stderr


def test_verify_ballot_is_not_vacuous(belenios_tool, simulated, tmp_path):
    """The same check refuses one of our ballots once a proof is altered (exit 124)."""
    _, out = simulated
    ballot = json.loads((out / "ballots" / "000001.json").read_text())
    proof = ballot["answers"][0]["overall_proof"][0]
    proof["response"] = str(int(proof["response"]) ^ 1)
    bad = tmp_path / "bad.json"
    bad.write_text(dumps(ballot) + "\n")
    done = belenios_tool.run(
        "election",
        "verify-ballot",
        "--dir",
        out / "archive-setup-only",
        "--ballot",
        bad,
        check=False,
    )
    assert done.returncode == 124


def test_compute_result_equals_ours(belenios_tool, simulated):
    sim, out = simulated
    done = belenios_tool.run("election", "compute-result", "--dir", out)
    assert done.stdout.strip() == dumps(result_to_json(sim.result))
    assert (out / "result.json").read_text().strip() == done.stdout.strip()


def test_compute_encrypted_tally_equals_ours(belenios_tool, simulated):
    sim, out = simulated
    done = belenios_tool.run("election", "compute-encrypted-tally", "--dir", out)
    text = tally_text(sim.tally)
    expected = f"{text}\n{dumps(sized_tally_json(text, VOTERS, VOTERS))}"
    assert done.stdout.strip() == expected


def test_belenios_tool_verify_accepts_what_urne_simulate_writes_on_the_command_line(
    belenios_tool, tmp_path
):
    from urne.simulate import main

    assert (
        main(
            [
                "--voters",
                "5",
                "--lists",
                "2",
                "--seed",
                "cli",
                "--out",
                str(tmp_path),
                "--jobs",
                "1",
            ]
        )
        == 0
    )
    archives = list(Path(tmp_path).glob("*.bel"))
    assert len(archives) == 1
    assert belenios_tool.run("election", "verify", "--dir", tmp_path).returncode == 0


def test_an_election_without_ballots(belenios_tool, tmp_path):
    """No ballot: the tally is the neutral ciphertext (identity elements everywhere), its
    partial decryptions and the all-zero result pass both verifiers."""
    from urne.ceremony import make_setup, tally_and_decrypt

    sim = make_setup(voters=3, lists=2, seed="empty")
    tally_and_decrypt(sim, members=(2, 3), seed="empty")
    path = tmp_path / f"{sim.election.uuid}.bel"
    path.write_bytes(sim.archive.to_bytes())
    report = verify_archive(str(path), jobs=1)
    assert report.failures == []
    assert report.result == [[0, 0, 0]]
    done = belenios_tool.run("election", "verify", "--dir", tmp_path)
    assert "all checks passed" in done.stdout + done.stderr
    done = belenios_tool.run("election", "compute-result", "--dir", tmp_path)
    assert done.stdout.strip() == '{"result":[[0,0,0]]}'
