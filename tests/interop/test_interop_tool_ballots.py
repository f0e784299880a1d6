"""Ballots made by belenios-tool 3.0 (``election generate-ballot``) for an election we set up:
we accept them one by one, and in an archive we build around them (with a revote)."""

from __future__ import annotations

import pytest

from urne.ceremony import make_setup, tally_and_decrypt
from urne.crypto.ballot import parse_ballot, verify_ballot_string
from urne.crypto.credentials import public_credential
from urne.crypto.encoding import dumps
from urne.verify.checks import verify_archive

pytestmark = pytest.mark.interop

LISTS = 4
# (voter number, slot): slot 0 is blank; voter 1 votes twice, the second ballot counts
PLAN = [(1, 2), (2, 1), (3, 0), (4, 4), (5, 2), (1, 3)]


def plaintext(slot: int) -> list[list[int]]:
    vector = [0] * (LISTS + 1)
    vector[slot] = 1
    return [vector]


@pytest.fixture(scope="module")
def tool_ballots(belenios_tool, tmp_path_factory):
    """The election (setup only, written by us) and the tool's ballots for ``PLAN``."""
    sim = make_setup(voters=5, lists=LISTS, seed="tool-ballots")
    work = tmp_path_factory.mktemp("tool-ballots")
    setup_dir = work / "setup-only"
    setup_dir.mkdir()
    (setup_dir / f"{sim.election.uuid}.bel").write_bytes(sim.setup_only)
    logins = list(sim.credentials)
    ballots = []
    for i, (voter, slot) in enumerate(PLAN):
        cred = work / f"{i}.cred"
        cred.write_text(sim.credentials[logins[voter - 1]] + "\n")
        choice = work / f"{i}.choice"
        choice.write_text(dumps(plaintext(slot)) + "\n")
        done = belenios_tool.run(
            "election",
            "generate-ballot",
            "--dir",
            setup_dir,
            "--privcred",
            cred,
            "--choice",
            choice,
        )
        ballots.append(done.stdout.strip())
    return sim, logins, ballots


def test_each_tool_ballot_verifies(tool_ballots):
    sim, logins, ballots = tool_ballots
    for (voter, _slot), raw in zip(PLAN, ballots, strict=True):
        ballot = verify_ballot_string(sim.election, raw)
        assert ballot.to_string() == raw
        expected = public_credential(sim.election.uuid, sim.credentials[logins[voter - 1]])
        assert ballot.credential == expected
        assert ballot.election_hash == sim.election.fingerprint


def test_an_archive_of_tool_ballots_verifies(tool_ballots, belenios_tool, tmp_path):
    sim, _, ballots = tool_ballots
    for raw in ballots:
        sim.archive.ballot(raw)
    last = {}
    for raw in ballots:
        credential = parse_ballot(raw).credential
        last.pop(credential, None)
        last[credential] = raw
    sim.ballots = list(last.values())
    tally_and_decrypt(sim, members=(1, 2), seed="tool-ballots")
    path = tmp_path / f"{sim.election.uuid}.bel"
    path.write_bytes(sim.archive.to_bytes())

    report = verify_archive(str(path), jobs=1)
    assert report.failures == []
    assert report.valid
    assert (report.ballots, report.tallied) == (len(PLAN), 5)
    counted = [slot for _, slot in PLAN[1:]]  # voter 1's first ballot is replaced
    assert report.result == [[counted.count(k) for k in range(LISTS + 1)]]

    done = belenios_tool.run("election", "verify", "--dir", tmp_path)
    assert "all checks passed" in done.stdout + done.stderr
    done = belenios_tool.run("election", "compute-result", "--dir", tmp_path)
    assert done.stdout.strip() == dumps({"result": report.result})
