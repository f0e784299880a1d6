"""``urne-trustee``: what a key holder runs on their own machine (docs/protocol.md §6, §8).

Its files are belenios-tool 3.0's own, so a holder may use either tool:

- ``generate-key``: a single key, ``ID.privkey`` (keep it) and ``ID.pubkey`` (send it);
- ``threshold --step 1..6``: the threshold key generation, step by step, with the same
  options, files, standard input and output as ``belenios-tool setup
  generate-trustee-key-threshold`` (steps 2, 4 and 6 are the coordinator's). Step 3 writes
  the 3.1+ AES-GCM channels that the key ceremony and belenios-tool 3.3 use (ADR 0720);
  ``--pki-cipher AES-CCM`` writes 3.0's, for a group whose members all run 3.0;
- ``unwrap``: open a key file that the ceremony's page wrapped under a passphrase
  (scrypt then AES-256-GCM, ADR 0721), writing the plain file beside it;
- ``decrypt`` / ``decrypt-threshold``: a partial decryption of an archive's encrypted tally,
  printed as the two lines ``archive add-event --type=PartialDecryption`` takes. The archive
  is fully verified first: a holder never decrypts a tally that is not the product of valid
  ballots (otherwise a forged "tally" could be a single voter's ballot);
- ``decrypt-bureau``: the same for every archive of a bureau (a folder, or several ``.bel``),
  each verified, written as one file for the count's upload page (``urne.decryptions``,
  ADR 0801); the holder's trustee id is found from each archive's trustees.

Private keys are read from and written to the holder's files only.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

from urne.crypto.archive import ArchiveError, events_with_data, read_records
from urne.crypto.election import Election, parse_election
from urne.crypto.encoding import FormatError, dumps, loads
from urne.crypto.group import GROUP, GroupError, scalar_of_string
from urne.crypto.keywrap import WrapError, unwrap
from urne.crypto.tally import (
    EncryptedTally,
    compute_partial_decryption,
    decryption_keys,
    owned_json,
    tally_of_json,
)
from urne.crypto.threshold import (
    AES_GCM,
    CIPHERS,
    Context,
    Polynomial,
    ThresholdError,
    VInput,
    VOutput,
    cert_id,
    decrypt_key_share,
    step1,
    step2,
    step3,
    step4,
    step5,
    step6,
)
from urne.crypto.trustees import (
    SignedMessage,
    Trustee,
    generate_single_key,
    parse_trustees,
    single_key_id,
)
from urne.decryptions import bundle_dumps
from urne.verify.checks import verify_archive


class CommandError(Exception):
    """A user error: printed as ``E: …`` with exit status 1."""


def _save(path: Path, text: str, mode: int) -> None:
    if path.exists():
        raise CommandError(f"{path} already exists: refusing to overwrite it")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "w") as f:
        f.write(text + "\n")


def _lines(path: str) -> list[str]:
    try:
        return [line for line in Path(path).read_text().splitlines() if line.strip()]
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from exc


def _read(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from exc


def _certs(path: str | None) -> list[SignedMessage]:
    if not path:
        raise CommandError("--certs is required for this step")
    return [SignedMessage.of_json(loads(line)) for line in _lines(path)]


def _polynomials(path: str | None) -> list[Polynomial]:
    if not path:
        raise CommandError("--polynomials is required for this step")
    return [Polynomial.of_json(loads(line)) for line in _lines(path)]


def cmd_generate_key(args: argparse.Namespace) -> None:
    x, tpk = generate_single_key()
    key_id = single_key_id(tpk)
    out = Path(args.dir)
    _save(out / f"{key_id}.pubkey", dumps(tpk.to_json()), 0o444)
    _save(out / f"{key_id}.privkey", json.dumps(str(x)), 0o400)
    print(f"I: keypair {key_id} has been generated", file=sys.stderr)
    print(key_id)


def cmd_threshold(args: argparse.Namespace) -> None:
    out = Path(args.dir)
    if args.step == 1:
        if not args.threshold_context:
            raise CommandError("--threshold-context i/k/n is required at step 1")
        seed, cert = step1(Context.parse(args.threshold_context))
        cid = cert_id(cert)
        _save(out / f"{cid}.cert", dumps(cert.to_json()), 0o444)
        _save(out / f"{cid}.key", seed, 0o400)
        print(f"I: certificate {cid} has been generated", file=sys.stderr)
        print(cid)
    elif args.step == 2:
        step2(_certs(args.certs))
        print("I: certificates are valid", file=sys.stderr)
    elif args.step == 3:
        if not args.key:
            raise CommandError("--key is required at step 3")
        polynomial = step3(_certs(args.certs), _read(args.key), algorithm=args.pki_cipher)
        print(dumps(polynomial.to_json()))
    elif args.step == 4:
        certs = _certs(args.certs)
        for cert, vinput in zip(certs, step4(certs, _polynomials(args.polynomials)), strict=True):
            name = out / f"{cert_id(cert)}.vinput"
            _save(name, dumps(vinput.to_json()), 0o444)
            print(f"I: wrote {name}", file=sys.stderr)
    elif args.step == 5:
        if not args.key:
            raise CommandError("--key is required at step 5")
        vinput = VInput.of_json(loads(sys.stdin.readline()))
        print(dumps(step5(_certs(args.certs), _read(args.key), vinput).to_json()))
    elif args.step == 6:
        certs = _certs(args.certs)
        voutputs = [
            VOutput.of_json(loads(line)) for line in sys.stdin.read().splitlines() if line.strip()
        ]
        params, dkeys = step6(certs, _polynomials(args.polynomials), voutputs)
        for cert, dkey in zip(certs, dkeys, strict=True):
            name = out / f"{cert_id(cert)}.dkey"
            _save(name, dkey, 0o400)
            print(f"I: wrote {name}", file=sys.stderr)
        print(dumps(params.to_json()))
    else:
        raise CommandError("--step must be 1 to 6")


def cmd_unwrap(args: argparse.Namespace) -> None:
    text = _read(args.file)
    if sys.stdin.isatty():
        passphrase = getpass.getpass("Passphrase: ")
    else:
        passphrase = sys.stdin.readline().rstrip("\n")
    try:
        name, clear = unwrap(text, passphrase)
    except WrapError as exc:
        raise CommandError(str(exc)) from exc
    if Path(name).name != name or name in ("", ".", ".."):
        raise CommandError("the wrapped file names an invalid file")
    target = Path(args.dir) / name
    _save(target, clear.rstrip("\n"), 0o400)
    print(f"I: wrote {target}", file=sys.stderr)


def _decrypt(archive: str, trustee_id: int, secret: int, skip_verify: bool) -> None:
    if not skip_verify:
        report = verify_archive(archive)
        if not report.valid:
            failures = "; ".join(str(f) for f in report.failures[:5])
            raise CommandError(f"the archive does not verify, refusing to decrypt: {failures}")
    try:
        events = events_with_data(read_records(Path(archive).read_bytes()))
    except (OSError, ArchiveError, FormatError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read the archive: {exc}") from exc
    election = parse_election(events[0][1][0].body.decode())
    tallies = [data for event, data in events if event.type == "EncryptedTally"]
    if not tallies:
        raise CommandError("the archive has no encrypted tally yet")
    tally = tally_of_json(loads(tallies[-1][0].body))
    pd = dumps(compute_partial_decryption(election, tally, secret).to_json())
    print(pd)
    print(dumps(owned_json(trustee_id, pd)))


def _archive_tally(
    archive: Path, skip_verify: bool
) -> tuple[Election, list[Trustee], EncryptedTally]:
    if not skip_verify:
        report = verify_archive(str(archive))
        if not report.valid:
            failures = "; ".join(str(f) for f in report.failures[:5])
            raise CommandError(f"{archive} does not verify, refusing to decrypt: {failures}")
    try:
        events = events_with_data(read_records(archive.read_bytes()))
        election = parse_election(events[0][1][0].body.decode())
        trustees = parse_trustees(loads(events[0][1][1].body))
    except (OSError, ArchiveError, FormatError, UnicodeDecodeError, IndexError) as exc:
        raise CommandError(f"cannot read the archive {archive}: {exc}") from exc
    tallies = [data for event, data in events if event.type == "EncryptedTally"]
    if not tallies:
        raise CommandError(f"{archive} has no encrypted tally yet: the count is not open")
    if any(event.type == "Result" for event, _ in events):
        raise CommandError(f"{archive} already has its result")
    return election, trustees, tally_of_json(loads(tallies[-1][0].body))


def cmd_decrypt_bureau(args: argparse.Namespace) -> None:
    if args.privkey:
        try:
            secret = scalar_of_string(loads(_read(args.privkey)))
        except (GroupError, FormatError) as exc:
            raise CommandError(f"{args.privkey} is not a private key: {exc}") from exc
    elif args.key and args.decryption_key:
        secret = decrypt_key_share(_read(args.key), _read(args.decryption_key))
    else:
        raise CommandError("give --privkey (president) or --key and --decryption-key (delegate)")
    paths: list[Path] = []
    for name in args.archives:
        path = Path(name)
        paths.extend(sorted(path.glob("*.bel")) if path.is_dir() else [path])
    if not paths:
        raise CommandError("no archive (.bel) found")
    public = GROUP.mul_base(secret)
    entries = []
    for path in paths:
        election, trustees, tally = _archive_tally(path, args.skip_verify)
        owners = [owner for owner, key in decryption_keys(trustees) if key == public]
        if not owners:
            raise CommandError(f"{path}: this key is not one of the scrutin's trustees")
        pd = dumps(compute_partial_decryption(election, tally, secret).to_json())
        entries.append((election.uuid, owners[0], pd))
        print(f"I: {path.name}: scrutin {election.uuid}, trustee {owners[0]}", file=sys.stderr)
    if len({uuid for uuid, _, _ in entries}) != len(entries):
        raise CommandError("two archives of the same scrutin")
    out = Path(args.out)
    _save(out, bundle_dumps(entries), 0o444)
    print(f"I: wrote {out} ({len(entries)} scrutins)", file=sys.stderr)


def cmd_decrypt(args: argparse.Namespace) -> None:
    try:
        secret = scalar_of_string(loads(_read(args.privkey)))
    except (GroupError, FormatError) as exc:
        raise CommandError(f"{args.privkey} is not a private key: {exc}") from exc
    _decrypt(args.archive, args.trustee_id, secret, args.skip_verify)


def cmd_decrypt_threshold(args: argparse.Namespace) -> None:
    share = decrypt_key_share(_read(args.key), _read(args.decryption_key))
    _decrypt(args.archive, args.trustee_id, share, args.skip_verify)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="urne-trustee", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("generate-key", help="make a single trustee key (ID.privkey, ID.pubkey)")
    p.add_argument("--dir", default=".")
    p.set_defaults(run=cmd_generate_key)
    p = sub.add_parser("threshold", help="threshold key generation, one step at a time")
    p.add_argument("--step", type=int, required=True)
    p.add_argument("--threshold-context", help="i/k/n: member index, number needed, group size")
    p.add_argument("--certs")
    p.add_argument("--key", help="the member's private ID.key")
    p.add_argument("--polynomials")
    p.add_argument("--dir", default=".")
    p.add_argument(
        "--pki-cipher",
        choices=CIPHERS,
        default=AES_GCM,
        help="step 3: the channels' cipher (AES-GCM for belenios-tool 3.1+, AES-CCM for 3.0)",
    )
    p.set_defaults(run=cmd_threshold)
    p = sub.add_parser("unwrap", help="open a key file wrapped under a passphrase")
    p.add_argument("file", help="the wrapped file (passphrase on the terminal or stdin)")
    p.add_argument("--dir", default=".", help="where to write the plain file")
    p.set_defaults(run=cmd_unwrap)
    for name, run in (("decrypt", cmd_decrypt), ("decrypt-threshold", cmd_decrypt_threshold)):
        p = sub.add_parser(name, help="partial decryption of an archive's encrypted tally")
        p.add_argument("--archive", required=True, help="the election's .bel archive")
        p.add_argument("--trustee-id", type=int, required=True)
        if name == "decrypt":
            p.add_argument("--privkey", required=True)
        else:
            p.add_argument("--key", required=True)
            p.add_argument("--decryption-key", required=True)
        p.add_argument("--skip-verify", action="store_true", help=argparse.SUPPRESS)
        p.set_defaults(run=run)
    p = sub.add_parser(
        "decrypt-bureau", help="partial decryptions of every archive of a bureau, in one file"
    )
    p.add_argument("archives", nargs="+", help="the bureau's .bel archives, or their folder")
    p.add_argument("--privkey", help="the president's ID.privkey")
    p.add_argument("--key", help="a delegate's ID.key")
    p.add_argument("--decryption-key", help="a delegate's ID.dkey")
    p.add_argument("--out", required=True, help="the file to upload (never overwritten)")
    p.add_argument("--skip-verify", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(run=cmd_decrypt_bureau)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        args.run(args)
    except (CommandError, ThresholdError, FormatError) as exc:
        print(f"E: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
