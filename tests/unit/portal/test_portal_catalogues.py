"""The portal's and the themes' English catalogues are complete and compiled (ADR 0223)."""

import gettext
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[3] / "src" / "urne"


def _entries(po: str) -> list[tuple[str, list[str]]]:
    def text(block: str) -> str:
        return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block))

    found = []
    for chunk in re.split(r"\n\s*\n", po):
        mid = re.search(r'^msgid ((?:".*"\n?)+)', chunk, re.M)
        if not mid or text(mid.group(1)) == "":
            continue
        strs = [text(m) for m in re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', chunk, re.M)]
        found.append((text(mid.group(1)), strs))
    return found


@pytest.mark.parametrize("app", ["portal", "theme", "theme_dsfr", "bureau"])
def test_catalogue_complete_and_compiled(app):
    folder = SRC / app / "locale" / "en" / "LC_MESSAGES"
    po = (folder / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po
    entries = _entries(po)
    assert len(entries) > 5
    empty = [mid for mid, strs in entries if not all(strs)]
    assert not empty, f"untranslated: {empty}"
    with (folder / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    plain = [(mid, strs[0]) for mid, strs in entries if len(strs) == 1 and "\\" not in mid]
    missing = [mid for mid, msgstr in plain if compiled.gettext(mid) != msgstr.replace('\\"', '"')]
    assert not missing, f"not in the compiled catalogue: {missing[:5]}"
