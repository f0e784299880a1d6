"""The seal's fingerprint and its check outside the server (``urne-seal-check``; ADR 0750).

A seal is a manifest: per component (the installed code, the settings that matter, the
published rolls, the candidate lists and their PDFs, the public credentials, the trustees'
public keys, each urn's setup, the audit log up to its head; at the freeze also the ballot
boxes and the émargements), one SHA-256 per entry, each entry being the bytes of one file.
A component's digest is the SHA-256 of its entries (canonical JSON), the fingerprint the
SHA-256 of the election's id and the components' digests: what the president and the
delegates write on the PV.

The server computes the manifest with these functions (``urne.bureau.seal``), and this module
checks an export of it without the server: every exported file against its entry, every
digest and the fingerprint recomputed, the audit log's hash chain recomputed, and, given a
copy of the release, every code file against the installed one. A compromised server could
vouch for itself; this code trusts nothing but the files and the fingerprint on the PV.
No Django here (an import-linter contract checks it).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = "urne-seal/1"
#: The components, in the order the manifest and the PV list them.
COMPONENTS = (
    "code",
    "settings",
    "rolls",
    "lists",
    "credentials",
    "trustees",
    "urns",
    "audit",
)
#: Sealed again at the freeze, once no ballot can come in any more.
FREEZE_COMPONENTS = ("boxes", "emargements")
#: Entries of these components are hashed, not exported (the expert has the release).
HASH_ONLY = frozenset({"code"})
#: The served booth bundle, compared with the release's static file.
SERVED_BUNDLE = "served/booth/belenios.js"
BUNDLE_IN_PACKAGE = "urne/booth/static/booth/belenios.js"
#: The audit log's one file.
AUDIT_FILE = "audit/events.jsonl"
GENESIS_HASH = "0" * 64


def canonical(value: Any) -> bytes:
    """The one JSON serialisation hashed everywhere: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def component_digest(entries: Mapping[str, str]) -> str:
    """The digest of one component: SHA-256 over its entries (name → SHA-256)."""
    return sha256_hex(canonical(dict(entries)))


def fingerprint(*, election: int, components: Mapping[str, Mapping[str, str]]) -> str:
    """The seal's fingerprint: SHA-256 over the format, the election's id and every
    component's digest. Nothing of when or by whom: the same state gives the same one."""
    digests = {name: component_digest(entries) for name, entries in components.items()}
    return sha256_hex(canonical({"format": FORMAT, "election": election, "components": digests}))


def manifest_make(
    *, election: int, components: Mapping[str, Mapping[str, str]], meta: Mapping[str, Any]
) -> dict[str, Any]:
    """The manifest as exported and stored: the fingerprint, the components' digests and
    entries, and ``meta`` (the election's name, the audit head, when; not fingerprinted)."""
    return {
        "format": FORMAT,
        "election": election,
        "fingerprint": fingerprint(election=election, components=components),
        "digests": {name: component_digest(entries) for name, entries in components.items()},
        "components": {name: dict(entries) for name, entries in components.items()},
        "meta": dict(meta),
    }


@dataclass(frozen=True)
class Change:
    """A component whose entries differ from the sealed ones."""

    component: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "component": self.component,
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": list(self.changed),
        }

    def summary(self, limit: int = 5) -> str:
        names = [*self.changed, *self.added, *self.removed]
        more = f" (+{len(names) - limit})" if len(names) > limit else ""
        return f"{self.component}: {', '.join(names[:limit])}{more}"


def components_compare(
    sealed: Mapping[str, Mapping[str, str]], now: Mapping[str, Mapping[str, str]]
) -> list[Change]:
    """Every component of ``sealed`` whose entries ``now`` differ, in the sealed order."""
    out = []
    for name, entries in sealed.items():
        current = now.get(name, {})
        if component_digest(entries) == component_digest(current):
            continue
        out.append(
            Change(
                component=name,
                added=tuple(sorted(set(current) - set(entries))),
                removed=tuple(sorted(set(entries) - set(current))),
                changed=tuple(
                    sorted(k for k in entries if k in current and current[k] != entries[k])
                ),
            )
        )
    return out


# --- the audit log (ADR 0101's chain, recomputed here without Django) ---------------------


def audit_event_hash(
    *,
    prev_hash: str,
    seq: int,
    at: str,
    actor_id: int | None,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    data: Any,
) -> str:
    """An audit event's hash, exactly as ``urne.audit.services.event_hash`` computes it (a
    test holds the two equal)."""
    body = json.dumps(
        {
            "prev": prev_hash,
            "seq": seq,
            "at": at,
            "actor_id": actor_id,
            "actor": actor,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "data": data,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return sha256_hex(body.encode())


AUDIT_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor",
    "action",
    "object_type",
    "object_id",
    "data",
    "prev_hash",
    "hash",
)


def audit_line(event: Mapping[str, Any]) -> bytes:
    """One line of the sealed audit file: the event's stored fields (``at`` in ISO 8601)."""
    return canonical({k: event[k] for k in AUDIT_FIELDS}) + b"\n"


def audit_chain_problem(lines: Iterator[bytes]) -> str:
    """Empty if the lines form ADR 0101's chain from its genesis, else the first problem."""
    prev, expected = GENESIS_HASH, 1
    for raw in lines:
        try:
            ev = json.loads(raw)
            seq = int(ev["seq"])
            digest = audit_event_hash(
                prev_hash=ev["prev_hash"],
                seq=seq,
                at=ev["at"],
                actor_id=ev["actor_id"],
                actor=ev["actor"],
                action=ev["action"],
                object_type=ev["object_type"],
                object_id=ev["object_id"],
                data=ev["data"],
            )
        except (ValueError, KeyError, TypeError):
            return f"event line {expected}: unreadable"
        if seq != expected:
            return f"event #{seq}: expected #{expected}"
        if ev["prev_hash"] != prev:
            return f"event #{seq}: previous hash does not match"
        if digest != ev["hash"]:
            return f"event #{seq}: content does not match its hash"
        prev, expected = digest, seq + 1
    return ""


# --- the code -----------------------------------------------------------------------------


def code_files(root: Path) -> Iterator[tuple[str, Path]]:
    """Every file of the package under ``root`` (its folder, e.g. ``.../site-packages/urne``)
    as ``urne/<path>``, sorted; compiled bytecode is left out (made at run time)."""
    base = root.name
    for path in sorted(root.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix in (".pyc", ".pyo"):
            continue
        yield f"{base}/{path.relative_to(root).as_posix()}", path


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def code_entries(root: Path) -> dict[str, str]:
    return {name: file_sha256(path) for name, path in code_files(root)}


# --- the check of an export ---------------------------------------------------------------


@dataclass
class SealReport:
    fingerprint: str = ""
    readable: bool = True
    problems: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.readable and not self.problems and not self.changes

    def to_json(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "ok": self.ok,
            "problems": self.problems,
            "changes": [c.to_json() for c in self.changes],
            "notes": self.notes,
        }


class _Export:
    """An export: a zip file or the folder it was unpacked to."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path) if path.is_file() else None

    def read(self, name: str) -> bytes | None:
        try:
            if self.zip is not None:
                return self.zip.read(name)
            return (self.path / name).read_bytes()
        except (KeyError, OSError):
            return None

    def names(self) -> set[str]:
        if self.zip is not None:
            return {n for n in self.zip.namelist() if not n.endswith("/")}
        return {p.relative_to(self.path).as_posix() for p in self.path.rglob("*") if p.is_file()}


def export_check(path: Path, *, expected: str = "", code_root: Path | None = None) -> SealReport:
    """Check the export at ``path`` (zip or folder) on its own: the manifest's digests and
    fingerprint recomputed, every sealed file against its entry, the audit chain, and if
    given the fingerprint from the PV (``expected``) and a copy of the release
    (``code_root``: the ``urne`` package folder)."""
    report = SealReport()
    try:
        export = _Export(path)
    except (OSError, zipfile.BadZipFile) as exc:
        report.readable = False
        report.problems.append(f"cannot read the export: {exc}")
        return report
    raw = export.read("manifest.json")
    try:
        manifest = json.loads(raw or b"")
        components: dict[str, dict[str, str]] = manifest["components"]
        election = int(manifest["election"])
    except (ValueError, KeyError, TypeError):
        report.readable = False
        report.problems.append("manifest.json is missing or unreadable")
        return report
    if manifest.get("format") != FORMAT:
        report.problems.append(f"unknown format {manifest.get('format')!r}")
    report.fingerprint = fingerprint(election=election, components=components)
    if report.fingerprint != manifest.get("fingerprint"):
        report.problems.append("the manifest's fingerprint is not the one its entries give")
    if expected and expected.strip().lower() != report.fingerprint:
        report.problems.append(
            f"the fingerprint of the PV ({expected.strip()}) is not the export's "
            f"({report.fingerprint})"
        )
    for name, entries in components.items():
        if manifest.get("digests", {}).get(name) != component_digest(entries):
            report.problems.append(f"{name}: the manifest's digest is not the one its entries give")
    found: dict[str, dict[str, str]] = {}
    for name, entries in components.items():
        if name in HASH_ONLY:
            continue
        found[name] = {}
        for entry in entries:
            data = export.read(f"files/{entry}")
            if data is not None:
                found[name][entry] = sha256_hex(data)
    sealed_files = {n: e for n, e in components.items() if n not in HASH_ONLY}
    report.changes.extend(components_compare(sealed_files, found))
    listed = {f"files/{e}" for n, es in sealed_files.items() for e in es}
    extra = sorted(n for n in export.names() - listed if n.startswith("files/"))
    if extra:
        report.problems.append(f"files not in the manifest: {', '.join(extra[:5])}")
    audit = export.read(f"files/{AUDIT_FILE}")
    if "audit" in components and audit is not None:
        problem = audit_chain_problem(iter(audit.splitlines(keepends=True)))
        if problem:
            report.problems.append(f"audit: {problem}")
    if code_root is not None and "code" in components:
        release = code_entries(code_root)
        sealed_code = dict(components["code"])
        served = sealed_code.pop(SERVED_BUNDLE, None)
        if served is not None and BUNDLE_IN_PACKAGE in release:
            release[SERVED_BUNDLE] = release[BUNDLE_IN_PACKAGE]
            sealed_code[SERVED_BUNDLE] = served
        report.changes.extend(components_compare({"code": sealed_code}, {"code": release}))
    elif "code" in components:
        report.notes.append(
            f"code: {len(components['code'])} files sealed, not compared (give --code)"
        )
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="urne-seal-check",
        description="Check an Urne seal export without the server: every sealed file, every "
        "digest, the fingerprint, the audit chain and, with --code, the installed code.",
    )
    parser.add_argument("export", help="the export (.zip) or the folder it was unpacked to")
    parser.add_argument("--fingerprint", default="", help="the fingerprint written on the PV")
    parser.add_argument("--code", default="", help="a copy of the release's urne package folder")
    parser.add_argument("--json", action="store_true", help="print a machine-readable report")
    args = parser.parse_args(argv)
    report = export_check(
        Path(args.export),
        expected=args.fingerprint,
        code_root=Path(args.code) if args.code else None,
    )
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(f"fingerprint {report.fingerprint or '-'}: {'OK' if report.ok else 'MISMATCH'}")
        for problem in report.problems:
            print(f"  - {problem}")
        for change in report.changes:
            print(f"  - changed {change.summary()}")
        for note in report.notes:
            print(f"  · {note}")
    if not report.readable:
        return 2
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
