"""Election parameters, ``election.json`` version 1, homomorphic questions (docs/protocol.md §3)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .encoding import (
    FormatError,
    JsonValue,
    dumps,
    expect_int,
    expect_list,
    expect_object,
    expect_str,
    loads,
    sha256_b64,
)
from .group import DESCRIPTION, GROUP, Element
from .primitives import element_of_json

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def check_uuid(uuid: str) -> str:
    """A Belenios uuid: base58, at least 14 characters (docs/protocol.md §3)."""
    if len(uuid) < 14 or any(ch not in BASE58_ALPHABET for ch in uuid):
        raise FormatError(f"invalid election uuid {uuid[:40]!r}")
    return uuid


@dataclass(frozen=True, slots=True)
class HomomorphicQuestion:
    """A homomorphic question (docs/protocol.md §3): pick between ``min`` and ``max`` answers,
    or vote blank when ``blank`` (the blank slot comes first in the plaintext vector)."""

    question: str
    answers: tuple[str, ...]
    min: int
    max: int
    blank: bool = False

    def __post_init__(self) -> None:
        if not self.answers:
            raise FormatError("a question needs at least one answer")
        if not 0 <= self.min <= self.max <= len(self.answers):
            raise FormatError(
                f"question bounds must satisfy 0 ≤ min ≤ max ≤ answers "
                f"(min {self.min}, max {self.max}, {len(self.answers)} answers)"
            )

    @property
    def size(self) -> int:
        """Length of the plaintext vector (answers, plus the blank slot)."""
        return len(self.answers) + (1 if self.blank else 0)

    def to_json(self) -> dict[str, JsonValue]:
        out: dict[str, JsonValue] = {"answers": list(self.answers)}
        if self.blank:
            out["blank"] = True
        out.update({"min": self.min, "max": self.max, "question": self.question})
        return out

    @staticmethod
    def of_json(value: JsonValue, what: str) -> HomomorphicQuestion:
        if isinstance(value, dict) and "type" in value:
            raise FormatError(f"{what}: question type {value['type']!r} is not supported")
        obj = expect_object(value, what, ("answers", "blank", "min", "max", "question"))
        blank = obj.get("blank", False)
        if not isinstance(blank, bool):
            raise FormatError(f"{what}: blank must be a boolean")
        answers = expect_list(obj.get("answers"), f"{what} answers")
        return HomomorphicQuestion(
            question=expect_str(obj.get("question"), f"{what} question"),
            answers=tuple(expect_str(a, f"{what} answer") for a in answers),
            min=expect_int(obj.get("min"), f"{what} min"),
            max=expect_int(obj.get("max"), f"{what} max"),
            blank=blank,
        )

    def check_plaintext(self, plaintext: Sequence[int]) -> None:
        """Raise ValueError unless ``plaintext`` is a choice this question accepts (§3, §5)."""
        if len(plaintext) != self.size:
            raise ValueError(f"expected {self.size} values, got {len(plaintext)}")
        if any(v not in (0, 1) for v in plaintext):
            raise ValueError("every value of a choice must be 0 or 1")
        if self.blank:
            blank, rest = plaintext[0], plaintext[1:]
            if blank == 1:
                if any(rest):
                    raise ValueError("a blank vote selects no answer")
                return
        else:
            rest = plaintext
        if not self.min <= sum(rest) <= self.max:
            raise ValueError(f"between {self.min} and {self.max} answers must be selected")


@dataclass(frozen=True, slots=True)
class Election:
    """Election parameters (docs/protocol.md §3), kept with the exact text they were read from,
    since the fingerprint is the hash of those bytes."""

    uuid: str
    name: str
    description: str
    public_key: Element
    questions: tuple[HomomorphicQuestion, ...]
    administrator: str | None = None
    credential_authority: str | None = None
    group: str = DESCRIPTION
    raw: str = ""

    @property
    def fingerprint(self) -> str:
        """φ = b64 SHA-256 of the raw election string (§3)."""
        return sha256_b64(self.raw)

    def to_json(self) -> dict[str, JsonValue]:
        out: dict[str, JsonValue] = {
            "version": 1,
            "description": self.description,
            "name": self.name,
            "group": self.group,
            "public_key": GROUP.element_to_string(self.public_key),
            "questions": [q.to_json() for q in self.questions],
            "uuid": self.uuid,
        }
        if self.administrator is not None:
            out["administrator"] = self.administrator
        if self.credential_authority is not None:
            out["credential_authority"] = self.credential_authority
        return out


def make_election(
    *,
    uuid: str,
    name: str,
    description: str,
    public_key: Element,
    questions: Sequence[HomomorphicQuestion],
    administrator: str | None = None,
    credential_authority: str | None = None,
) -> Election:
    """Build election parameters as ``setup make-election`` does (docs/protocol.md §3)."""
    draft = Election(
        uuid=check_uuid(uuid),
        name=name,
        description=description,
        public_key=public_key,
        questions=tuple(questions),
        administrator=administrator,
        credential_authority=credential_authority,
    )
    return parse_election(dumps(draft.to_json()))


def parse_election(raw: str) -> Election:
    """Read ``election.json`` text (docs/protocol.md §3); the raw text is kept for φ.

    Only the Ed25519 group and homomorphic questions are in Urne's scope.
    """
    obj = expect_object(
        loads(raw),
        "election",
        (
            "version",
            "description",
            "name",
            "group",
            "public_key",
            "questions",
            "uuid",
            "administrator",
            "credential_authority",
        ),
    )
    if obj.get("version") != 1:
        raise FormatError(f"election: unsupported version {obj.get('version')!r}")
    group = expect_str(obj.get("group"), "election group")
    if group != DESCRIPTION:
        raise FormatError(f"election: group {group!r} is not supported (only Ed25519)")
    public_key = element_of_json(obj.get("public_key"), "election public key")
    if not GROUP.check(public_key):
        raise FormatError("election: the public key is not a group element")
    questions = tuple(
        HomomorphicQuestion.of_json(q, f"question {i + 1}")
        for i, q in enumerate(expect_list(obj.get("questions"), "election questions"))
    )
    if not questions:
        raise FormatError("election: no question")
    administrator = obj.get("administrator")
    authority = obj.get("credential_authority")
    return Election(
        uuid=check_uuid(expect_str(obj.get("uuid"), "election uuid")),
        name=expect_str(obj.get("name"), "election name"),
        description=expect_str(obj.get("description"), "election description"),
        public_key=public_key,
        questions=questions,
        administrator=None if administrator is None else expect_str(administrator, "administrator"),
        credential_authority=(
            None if authority is None else expect_str(authority, "credential_authority")
        ),
        group=group,
        raw=raw,
    )
