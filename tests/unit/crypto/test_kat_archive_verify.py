"""The ``.bel`` archive (docs/protocol.md §9), ``verify_archive`` and the ``urne-verify`` command on
the belenios-tool 3.0 vectors, and an archive with a revote."""

from __future__ import annotations

import json

import pytest
from archive_builder import build_election, extract, login, one_hot, rebuild

from urne.crypto.archive import (
    ArchiveError,
    Event,
    parse_header,
    read_records,
    write_records,
)
from urne.crypto.encoding import sha256_hex
from urne.verify.checks import verify_archive
from urne.verify.cli import main

EXPECTED_RESULT = [[6, 7, 5, 4, 3, 3, 1, 1, 0, 0]]


# -- archive format -----------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["archive", "setup_only"])
def test_archive_round_trip_is_byte_identical(vectors, which):
    data = getattr(vectors, which).read_bytes()
    records = read_records(data)
    timestamp = parse_header(records[0])
    assert write_records(records, timestamp) == data


def test_archive_records_are_named_by_their_hashes(vectors):
    records = read_records(vectors.archive.read_bytes())
    assert records[0].name == "BELENIOS"
    kinds = []
    for r in records[1:]:
        digest = sha256_hex(r.body)
        assert r.name in (f"{digest}.data.json", f"{digest}.event.json")
        if r.name.endswith(".event.json"):
            kinds.append(Event.of_text(r.body.decode()).type)
    assert kinds == ["Setup"] + ["Ballot"] * 30 + [
        "EndBallots",
        "EncryptedTally",
        "PartialDecryption",
        "PartialDecryption",
        "PartialDecryption",
        "Result",
    ]
    ballot_names = {r.name for r in records}
    for _seq, _voter, _plain, _tracker, record in vectors.trackers():
        assert f"{record}.data.json" in ballot_names


def test_our_rebuild_of_the_vector_archive_is_byte_identical(vectors):
    data = vectors.archive.read_bytes()
    timestamp, steps = extract(data)
    assert rebuild(timestamp, steps) == data


def test_read_records_refuses_a_broken_tar(vectors):
    data = vectors.archive.read_bytes()
    broken = bytearray(data)
    broken[10] ^= 0x20  # a letter of the first record's name: the header checksum fails
    with pytest.raises(ArchiveError, match="checksum"):
        read_records(bytes(broken))
    with pytest.raises(ArchiveError, match="truncated"):
        read_records(data[: 1024 + 512 + 100])
    with pytest.raises(ArchiveError, match="trailing bytes"):
        read_records(data + b"garbage")
    # end-of-archive blocks written by another tar are fine
    assert read_records(data + bytes(1024)) == read_records(data)


# -- verify_archive -------------------------------------------------------------------------------


def test_verify_vector_archive(vectors):
    report = verify_archive(str(vectors.archive), jobs=1)
    assert report.failures == []
    assert report.valid and report.readable
    assert report.result == EXPECTED_RESULT
    assert (report.ballots, report.tallied, report.uuid) == (30, 30, vectors.uuid)
    assert report.stage == "result"


def test_verify_vector_archive_on_two_processes(vectors):
    report = verify_archive(str(vectors.archive), jobs=2)
    assert report.valid
    assert report.result == EXPECTED_RESULT


def test_verify_setup_only_archive(vectors):
    report = verify_archive(str(vectors.setup_only), jobs=1)
    assert report.valid
    assert report.ballots == 0
    assert report.result is None


# -- the command ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def invalid_archive(tmp_path_factory, vectors):
    """The vector archive with its result altered (an otherwise valid archive)."""
    timestamp, steps = extract(vectors.archive.read_bytes())
    assert steps[-1].type == "Result"
    steps[-1].data = ['{"result":[[7,6,5,4,3,3,1,1,0,0]]}']
    path = tmp_path_factory.mktemp("invalid") / f"{vectors.uuid}.bel"
    path.write_bytes(rebuild(timestamp, steps))
    return path


def test_cli_exit_0_on_a_valid_archive(vectors, capsys):
    assert main(["--jobs", "1", str(vectors.archive)]) == 0
    out = capsys.readouterr().out
    assert "valid (30 ballots, 30 tallied" in out
    assert json.dumps(EXPECTED_RESULT) in out


def test_cli_exit_1_on_an_invalid_archive(invalid_archive, capsys):
    assert main(["--jobs", "1", str(invalid_archive)]) == 1
    out = capsys.readouterr().out
    assert "INVALID" in out
    assert "does not decrypt to 7" in out


def test_cli_exit_2_on_a_missing_file(tmp_path, capsys):
    assert main(["--jobs", "1", str(tmp_path / "nothing.bel")]) == 2
    assert "unreadable" in capsys.readouterr().out


def test_cli_exit_2_on_a_file_that_is_not_a_tar(tmp_path, capsys):
    path = tmp_path / "text.bel"
    path.write_text("this is not an archive, but it is long enough to fill a header " * 20)
    assert main(["--jobs", "1", str(path)]) == 2
    assert "unreadable" in capsys.readouterr().out
    empty = tmp_path / "empty.bel"
    empty.write_bytes(b"")
    assert main(["--jobs", "1", str(empty)]) == 2


def test_cli_unreadable_wins_over_invalid(tmp_path, invalid_archive, vectors):
    assert main(["--jobs", "1", str(vectors.archive), str(invalid_archive)]) == 1
    assert main(["--jobs", "1", str(invalid_archive), str(tmp_path / "missing.bel")]) == 2


def test_cli_json_report(vectors, invalid_archive, tmp_path, capsys):
    missing = tmp_path / "missing.bel"
    code = main(["--json", "--jobs", "1", str(vectors.archive), str(invalid_archive), str(missing)])
    assert code == 2
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"archives"}
    good, bad, absent = report["archives"]
    for entry in (good, bad, absent):
        assert {"path", "valid", "readable", "failures", "ballots", "tallied", "result"} <= set(
            entry
        )
    assert good["valid"] is True and good["failures"] == []
    assert good["ballots"] == 30 and good["result"] == EXPECTED_RESULT
    assert good["uuid"] == vectors.uuid
    assert bad["valid"] is False and bad["readable"] is True
    assert bad["failures"] and all(set(f) == {"where", "check"} for f in bad["failures"])
    assert any("Result" in f["where"] for f in bad["failures"])
    assert absent["valid"] is False and absent["readable"] is False
    assert absent["result"] is None


def test_cli_on_a_folder_finds_the_archives(vectors, capsys):
    assert main(["--jobs", "1", str(vectors.root / "archive-setup-only")]) == 0
    assert "valid (0 ballots" in capsys.readouterr().out


# -- revote ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def revote():
    # voter 1 votes list 1, voter 2 list 2, voter 1 again for list 3: list 1 gets nothing.
    votes = [(login(1), one_hot(3, 1)), (login(2), one_hot(3, 2)), (login(1), one_hot(3, 3))]
    return build_election(votes, voters=3, lists=3, seed="revote")


def test_archive_with_a_revote_is_valid_and_the_last_ballot_counts(revote, tmp_path):
    path = tmp_path / "revote.bel"
    path.write_bytes(revote.data)
    report = verify_archive(str(path), jobs=1)
    assert report.failures == []
    assert report.valid
    assert (report.ballots, report.tallied) == (3, 2)
    assert report.result == [[0, 0, 1, 1]]


def test_archive_tallying_both_ballots_of_a_revoter_is_invalid(tmp_path):
    votes = [(login(1), one_hot(3, 1)), (login(2), one_hot(3, 2))]
    built = build_election(votes, voters=3, lists=3, seed="revote-wrong")
    # cast a second ballot of voter 1 after the tally was made from the first two only
    timestamp, steps = extract(built.data)
    from urne.ceremony import make_ballot

    again = make_ballot(built.election, built.sim.credentials[login(1)], one_hot(3, 3), "again")
    steps.insert(3, type(steps[0])("Ballot", [again.to_string()]))
    path = tmp_path / "wrong.bel"
    path.write_bytes(rebuild(timestamp, steps))
    report = verify_archive(str(path), jobs=1)
    assert not report.valid
    checks = [str(f) for f in report.failures]
    assert any("published encrypted tally differs" in c for c in checks)
