"""The demo's professions de foi stay on the paper: a long joint list's name, many unions and
a long candidate list wrap and flow onto further pages instead of running off the page."""

import io

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth

from urne.elections.demo import profession_de_foi_pdf

LONG_TITLE = (
    "Liste d'union pour la défense des personnels de l'enseignement, de l'éducation, de la "
    "recherche et de la culture, présentée conjointement par cinq organisations syndicales"
)
UNIONS = [f"Syndicat national numéro {n} des personnels de l'éducation" for n in range(6)]


def _lines(pdf: bytes) -> list[tuple[int, float, float, str]]:
    """Every piece of text drawn: (page, x, right edge, text)."""
    out: list[tuple[int, float, float, str]] = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):

        def visit(text, cm, tm, font, size, number=number):
            if not text.strip():
                return
            x = tm[4] * cm[0] + cm[4]
            base = str(font.get("/BaseFont", "/Helvetica")).lstrip("/") if font else "Helvetica"
            width = stringWidth(text.rstrip("\n"), base, size * tm[0] * cm[0])
            out.append((number, x, x + width, text))

        page.extract_text(visitor_text=visit)
    return out


def test_a_long_profession_de_foi_stays_within_the_page():
    candidates = [f"Mme Candidate Numéro {n} Avec Un Nom Composé-Très-Long" for n in range(70)]
    pdf = profession_de_foi_pdf(title=LONG_TITLE, unions=UNIONS, candidates=candidates)
    lines = _lines(pdf)
    assert lines
    width, _height = A4
    overflowing = [text for _page, x, right, text in lines if x < 0 or right > width - 20]
    assert not overflowing, overflowing[:3]
    text = " ".join(t for *_, t in lines)
    # Nothing is cut: every candidate is there, over more than one page.
    assert all(name.split()[-1] in text for name in candidates)
    assert len({page for page, *_ in lines}) > 1
