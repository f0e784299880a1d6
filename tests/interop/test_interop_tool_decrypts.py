"""belenios-tool 3.0 decrypts our tally: ``election decrypt`` with the president's key and
``decrypt-threshold`` with each member's seed and ``.dkey`` on an archive we made (ballots
by ``urne.simulate`` with ``tally=False``, then EndBallots and EncryptedTally by our code).
We accept their partial decryptions, combine them, and the tool agrees with our result."""

from __future__ import annotations

import json

import pytest

from urne.crypto.ballot import parse_ballot
from urne.crypto.encoding import dumps, loads
from urne.crypto.tally import (
    PartialDecryption,
    check_partial_decryption,
    combine_factors,
    compute_encrypted_tally,
    compute_result,
    owned_json,
    result_to_json,
    sized_tally_json,
    tally_text,
)
from urne.crypto.trustees import single_key_id
from urne.simulate import simulate
from urne.verify.checks import verify_archive

pytestmark = pytest.mark.interop

VOTERS, LISTS, MEMBERS = 10, 3, 3


@pytest.fixture(scope="module")
def tallied(tmp_path_factory):
    """Our archive up to the encrypted tally, in its own folder."""
    out = tmp_path_factory.mktemp("decrypts")
    sim = simulate(voters=VOTERS, lists=LISTS, seed="interop-decrypt", out=out, tally=False)
    assert sim.result is None
    parsed = [(parse_ballot(b), 1) for b in sim.ballots]
    tally, count, total = compute_encrypted_tally(sim.election, parsed)
    text = tally_text(tally)
    sim.archive.end_ballots()
    sim.archive.encrypted_tally(text, dumps(sized_tally_json(text, count, total)))
    archive_dir = out / "archive"
    archive_dir.mkdir()
    (archive_dir / f"{sim.election.uuid}.bel").write_bytes(sim.archive.to_bytes())
    return sim, out, archive_dir, tally, total


@pytest.fixture(scope="module")
def tool_decryptions(belenios_tool_30, tallied):
    """trustee id → (partial decryption text, owned text), made by belenios-tool 3.0.

    3.0 only: 3.3 cannot read 3.0's threshold key files (``Missing record field
    y_algorithm``: 3.1+ encrypt the shares with AES-GCM and name the algorithm); the archive
    holding these decryptions is then checked by both versions."""
    belenios_tool = belenios_tool_30
    sim, out, archive_dir, _, _ = tallied
    president = out / "trustees" / "president" / f"{single_key_id(sim.president)}.privkey"
    outputs = {
        1: belenios_tool.run(
            "election", "decrypt", "--dir", archive_dir, "--privkey", president, "--trustee-id", "1"
        ).stdout
    }
    tdir = out / "trustees" / "threshold"
    for m in range(1, MEMBERS + 1):
        member_id = (tdir / f"member-{m}.id").read_text().strip()
        outputs[1 + m] = belenios_tool.run(
            "election",
            "decrypt-threshold",
            "--dir",
            archive_dir,
            "--key",
            tdir / f"{member_id}.key",
            "--decryption-key",
            tdir / f"{member_id}.dkey",
            "--trustee-id",
            str(1 + m),
        ).stdout
    decryptions = {}
    for trustee_id, text in outputs.items():
        lines = text.strip().split("\n")
        assert len(lines) == 2, text
        decryptions[trustee_id] = (lines[0], lines[1])
    return decryptions


def trustee_key(sim, trustee_id: int):
    if trustee_id == 1:
        return sim.president.public_key
    return sim.group.params.verification_keys[trustee_id - 2].public_key


def test_the_tool_computes_our_encrypted_tally(belenios_tool, tallied):
    _, _, archive_dir, tally, total = tallied
    done = belenios_tool.run("election", "compute-encrypted-tally", "--dir", archive_dir)
    text = tally_text(tally)
    assert done.stdout.strip() == f"{text}\n{dumps(sized_tally_json(text, VOTERS, total))}"


def test_we_accept_the_tools_partial_decryptions(tallied, tool_decryptions):
    sim, _, _, tally, _ = tallied
    assert set(tool_decryptions) == {1, 2, 3, 4}
    for trustee_id, (pd_text, owned_text) in tool_decryptions.items():
        pd = PartialDecryption.of_json(loads(pd_text))
        assert dumps(pd.to_json()) == pd_text
        assert (
            check_partial_decryption(sim.election, tally, trustee_key(sim, trustee_id), pd) is None
        )
        assert owned_text == dumps(owned_json(trustee_id, pd_text))
        other = 1 + trustee_id % 4
        assert (
            check_partial_decryption(sim.election, tally, trustee_key(sim, other), pd) is not None
        )


def test_their_decryptions_give_the_expected_result(tallied, tool_decryptions):
    sim, out, _, tally, total = tallied
    expected = json.loads((out / "expected_result.json").read_text())["result"]
    for members in ((2, 3), (2, 4), (3, 4), (2, 3, 4)):
        chosen = {
            k: PartialDecryption.of_json(loads(tool_decryptions[k][0])) for k in (1, *members)
        }
        factors = combine_factors(sim.election, tally, sim.trustees, chosen)
        assert compute_result(tally, factors, total) == expected


def test_archive_with_their_decryptions_verifies_both_ways(
    belenios_tool, tallied, tool_decryptions, tmp_path
):
    sim, out, archive_dir, _, _ = tallied
    expected = json.loads((out / "expected_result.json").read_text())["result"]
    # extend a copy of the tallied archive with their partial decryptions (president, members 1, 3)
    from urne.crypto.archive import ArchiveWriter, Event, read_records

    records = read_records((archive_dir / f"{sim.election.uuid}.bel").read_bytes())
    last = records[-1]
    writer = ArchiveWriter(
        timestamp=sim.archive.timestamp,
        records=list(records),
        last_event=last.name.removesuffix(".event.json"),
        height=Event.of_text(last.body.decode()).height,
    )
    for trustee_id in (1, 2, 4):
        writer.partial_decryption(*tool_decryptions[trustee_id])
    # the tool computes the result from the archive, we write it
    final_dir = tmp_path / "final"
    final_dir.mkdir()
    path = final_dir / f"{sim.election.uuid}.bel"
    path.write_bytes(writer.to_bytes())
    done = belenios_tool.run("election", "compute-result", "--dir", final_dir)
    assert done.stdout.strip() == dumps(result_to_json(expected))
    writer.result(done.stdout.strip())
    path.write_bytes(writer.to_bytes())

    report = verify_archive(str(path), jobs=1)
    assert report.failures == []
    assert report.result == expected
    done = belenios_tool.run("election", "verify", "--dir", final_dir)
    assert "all checks passed" in done.stdout + done.stderr
