"""Every document the code and the docs cite is in the repository, and so is every section.

Citation forms (docs/architecture.md, "How the code is written"):

- ``docs/protocol.md §5``, ``§6.1, §6.3``, ``§3–§9``, ``§12 "2.4"`` (a quoted text must appear
  in that section); ``§11.9`` is a heading 11.9 or item 9 of the numbered list of section 11;
- ``docs/architecture.md, "The three stores"``: a heading of that page (the heading may add a
  parenthesis after the cited words);
- ``ADR 0320``, ``ADRs 0320–0326``, ``ADR 0320, 0325``: records in ``docs/adr/``, every one of
  them listed in ``docs/adr/README.md``.

No database: the files are read as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SCANNED = ("src", "tests", "bench", "frontend", "docs")
SUFFIXES = {".py", ".pyi", ".c", ".js", ".mjs", ".html", ".txt", ".md", ".css", ".toml"}
SKIPPED_PARTS = {"node_modules", "__pycache__", "dist", "static_build"}

# Leading comment markers, removed before the lines of a file are joined, so that a citation
# wrapped over two comment lines reads as one.
COMMENT = re.compile(r"^\s*(?:#:|#|//|/\*\*|/\*|\*/|\*)?\s?")
SECTION = r"§(\d+(?:\.\d+)*)(?:\s+\"([^\"]+)\")?"
SECTIONS = re.compile(
    rf"docs/([\w-]+)\.md\s+{SECTION}((?:\s*(?:,|–|-|and)\s*{SECTION})*)",
)
NEXT_SECTION = re.compile(rf"(,|–|-|and)\s*{SECTION}")
HEADING_CITE = re.compile(r"docs/([\w-]+)\.md,\s+\"([^\"]+)\"")
DOC_PATH = re.compile(r"(?<![\w/.])docs/([\w-]+(?:/[\w.-]+)*\.md)")
ADR_CITE = re.compile(r"\bADRs?\s+(\d{4})((?:\s*(?:,|–|-|and)\s*\d{4})*)")
OUTSIDE = re.compile(r"(?<![\w/])(PROTOCOL|ARCHITECTURE|PRODUCT|STYLE)\.md")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\.?\s")


@dataclass(frozen=True)
class Section:
    level: int
    title: str
    body: str


def sections_of(text: str) -> list[Section]:
    """The headings of a Markdown text, each with its body up to the next heading of the same
    or a higher level."""
    lines = text.splitlines()
    heads = [
        (i, len(m.group(1)), m.group(2))
        for i, line in enumerate(lines)
        if (m := HEADING.match(line))
    ]
    found = []
    for k, (i, level, title) in enumerate(heads):
        end = next((j for j, lev, _ in heads[k + 1 :] if lev <= level), len(lines))
        found.append(Section(level, title, "\n".join(lines[i + 1 : end])))
    return found


def section_problem(doc: str, text: str, number: str, quoted: str | None) -> str | None:
    """Why ``§number`` (with its quoted text, if any) does not resolve in ``text``, or None."""
    sections = sections_of(text)
    numbered = {m.group(1): s for s in sections if (m := NUMBERED.match(s.title))}
    section = numbered.get(number)
    if section is None and "." in number:
        parent, item = number.rsplit(".", 1)
        outer = numbered.get(parent)
        if outer is not None and re.search(rf"(?m)^\s*{item}\.\s", outer.body):
            section = outer
    if section is None:
        return f"docs/{doc}.md has no section §{number}"
    if quoted is not None and quoted not in section.title + "\n" + section.body:
        return f'docs/{doc}.md §{number} does not contain "{quoted}"'
    return None


def heading_problem(doc: str, text: str, cited: str) -> str | None:
    titles = [" ".join(s.title.split()) for s in sections_of(text)]
    cited = " ".join(cited.split())
    if any(t == cited or t.startswith(cited + " (") for t in titles):
        return None
    return f'docs/{doc}.md has no heading "{cited}"'


def adr_numbers(root: Path) -> set[str]:
    return {p.name[:4] for p in (root / "docs" / "adr").glob("[0-9][0-9][0-9][0-9]-*.md")}


def citation_problems(text: str, root: Path = ROOT) -> list[str]:
    """Every citation in ``text`` (comment markers already removed) that does not resolve."""
    flat = " ".join(text.split())
    problems = []

    def doc_text(doc: str) -> str | None:
        path = root / "docs" / f"{doc}.md"
        return path.read_text(encoding="utf-8") if path.is_file() else None

    for m in DOC_PATH.finditer(flat):
        if not (root / "docs" / m.group(1)).is_file():
            problems.append(f"docs/{m.group(1)} does not exist")
    for m in SECTIONS.finditer(flat):
        doc, body = m.group(1), doc_text(m.group(1))
        if body is None:
            continue  # reported above
        cited = [(m.group(2), m.group(3))]
        cited += [(n.group(2), n.group(3)) for n in NEXT_SECTION.finditer(m.group(4))]
        for number, quoted in cited:
            if problem := section_problem(doc, body, number, quoted):
                problems.append(problem)
    for m in HEADING_CITE.finditer(flat):
        body = doc_text(m.group(1))
        if body is not None and (problem := heading_problem(m.group(1), body, m.group(2))):
            problems.append(problem)
    known = adr_numbers(root)
    for m in ADR_CITE.finditer(flat):
        for number in [m.group(1), *re.findall(r"\d{4}", m.group(2))]:
            if number not in known:
                problems.append(f"ADR {number} is not in docs/adr/")
    for m in OUTSIDE.finditer(flat):
        problems.append(f"{m.group(0)} is not a document of the repository")
    return problems


def scanned_files(root: Path = ROOT) -> list[Path]:
    files = []
    for top in SCANNED:
        for path in sorted((root / top).rglob("*")):
            if path.suffix in SUFFIXES and path.is_file() and not SKIPPED_PARTS & set(path.parts):
                files.append(path)
    return [*files, root / "README.md"]


def uncommented(path: Path) -> str:
    text = path.read_text(encoding="utf-8", errors="replace")
    return "\n".join(COMMENT.sub("", line, count=1) for line in text.splitlines())


def test_every_citation_resolves():
    problems = [
        f"{path.relative_to(ROOT)}: {problem}"
        for path in scanned_files()
        if path != Path(__file__).resolve()
        for problem in citation_problems(uncommented(path))
    ]
    assert problems == []


def test_the_scan_sees_the_citations():
    """The citations of the crypto core are found (so an empty result above means something)."""
    text = uncommented(ROOT / "src" / "urne" / "crypto" / "ballot.py")
    assert SECTIONS.search(" ".join(text.split())).group(0).startswith("docs/protocol.md §5")
    total = sum(len(SECTIONS.findall(" ".join(uncommented(p).split()))) for p in scanned_files())
    assert total > 50


def test_bad_citations_are_reported():
    text = (
        'A (docs/protocol.md §5, §99 and §11.42). B (docs/protocol.md §12 "no such words").\n'
        '# C (docs/architecture.md, "No such\n# heading"), D (docs/nowhere.md), ADRs 0320–0999.\n'
        "E (PROTOCOL.md §5)."
    )
    assert citation_problems(uncommented_text(text)) == [
        "docs/nowhere.md does not exist",
        "docs/protocol.md has no section §99",
        "docs/protocol.md has no section §11.42",
        'docs/protocol.md §12 does not contain "no such words"',
        'docs/architecture.md has no heading "No such heading"',
        "ADR 0999 is not in docs/adr/",
        "PROTOCOL.md is not a document of the repository",
    ]


def test_good_citations_resolve():
    text = (
        'docs/protocol.md §1–§5, §12 "2.4"; docs/protocol.md §11.9 and §6.2; '
        'docs/architecture.md, "The three stores"; docs/product.md, "The calendar"; '
        "ADR 0320, 0325; ADRs 0330–0335; docs/adr/README.md."
    )
    assert citation_problems(text) == []


def uncommented_text(text: str) -> str:
    return "\n".join(COMMENT.sub("", line, count=1) for line in text.splitlines())


def test_the_protocol_cross_references_resolve():
    """A bare ``§n`` in docs/protocol.md refers to a section of that page."""
    text = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    problems = [
        problem
        for m in re.finditer(r"(?<![\w.])§(\d+(?:\.\d+)*)", text)
        if (problem := section_problem("protocol", text, m.group(1), None))
    ]
    assert problems == []


def test_the_adr_index_lists_every_record():
    index = (ROOT / "docs" / "adr" / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"\]\((\d{4}-[\w.-]+\.md)\)", index))
    records = {p.name for p in (ROOT / "docs" / "adr").glob("[0-9][0-9][0-9][0-9]-*.md")}
    assert listed == records
