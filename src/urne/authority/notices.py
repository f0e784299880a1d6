"""Vote-code notices as PDF (mail-merge, one page per voter), for the printer only: produced
into a stream (the HTTP response or a file the printer takes away) and never kept by the
platform; the codes are recomputed from the authority key while writing (ADR 0302)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from urne.audit.services import audit_append
from urne.site.public_url import public_url

from .models import CodeSlot, CredentialSet
from .services import code_derive

DEFAULT_BATCH = 5000

# The notice speaks the election's style (seeds 001 and 004): in 2018 the secret is the
# "identifiant électeur", typed with the "mot de passe personnel électeur" in the "Espace de
# vote"; in 2022 it is the "code de vote", typed alone in "Saisie du code de vote".
_TYPING = [
    "Les tirets et les espaces sont facultatifs ; minuscules et majuscules sont acceptées.",
    "Il ne contient jamais les caractères 0 (zéro), O, 1 (un), I ni L.",
    "Le dernier caractère est un caractère de contrôle : une faute de frappe est signalée",
    "avant tout envoi. Vous votez une seule fois par scrutin ; un vote est définitif.",
]
WORDING = {
    "2018": (
        "Votre identifiant électeur",
        [
            "Votre identifiant électeur est personnel et confidentiel : ne le communiquez à",
            "personne. Pendant la période de vote, connectez-vous à votre espace électeur,",
            "ouvrez l'espace de vote et saisissez cet identifiant avec votre mot de passe",
            "personnel électeur.",
            *_TYPING,
            "Identifiant perdu ou illisible ? Dans l'espace de vote, « Identifiant électeur",
            "oublié ? » vous permet d'en recevoir un nouveau par SMS (3 demandes au plus),",
            "ou adressez-vous à l'assistance : l'ancien identifiant est alors invalidé.",
        ],
    ),
    "2022": (
        "Votre code de vote",
        [
            "Votre code de vote est personnel et confidentiel : ne le communiquez à personne.",
            "Pendant la période de vote, connectez-vous à votre espace électeur avec votre",
            "identifiant et votre mot de passe, puis saisissez ce code dans « Je vote ».",
            *_TYPING,
            "Code perdu ou illisible ? Adressez-vous à l'assistance de votre espace électeur :",
            "un nouveau code vous est adressé et l'ancien est révoqué.",
        ],
    ),
}


@dataclass(frozen=True)
class Batch:
    number: int  # 1-based
    voter_ids: list[int]


def notice_voter_ids(*, election_id: int) -> list[int]:
    """Voters with a code, in id order (the same order for every run, so batches are
    stable)."""
    return sorted(
        CodeSlot.objects.filter(election_id=election_id, index=0).values_list("voter_id", flat=True)
    )


def notice_batches(*, election_id: int, size: int = DEFAULT_BATCH) -> list[Batch]:
    ids = notice_voter_ids(election_id=election_id)
    return [
        Batch(n + 1, ids[start : start + size]) for n, start in enumerate(range(0, len(ids), size))
    ]


def _active_index(voter_ids: list[int]) -> dict[int, int]:
    return dict(
        CodeSlot.objects.filter(voter_id__in=voter_ids, status=CodeSlot.Status.ACTIVE).values_list(
            "voter_id", "index"
        )
    )


def notices_write(
    *,
    election: Any,
    voter_ids: list[int],
    out: BinaryIO,
    progress: Callable[[int, int], None] | None = None,
    compress: bool = True,
) -> int:
    """Write one A4 page per voter (name, address lines, active code, instructions, portal
    address) to ``out``; returns the number of pages. Voters without an active code (all
    replacements used) are skipped."""
    from urne.elections.models import Voter

    cset = CredentialSet.objects.get(election_id=election.pk)
    portal = public_url("/")
    title, lines = WORDING[election.style]
    canvas = Canvas(out, pagesize=A4, pageCompression=1 if compress else 0)
    canvas.setTitle(f"Notice de vote – {election.name}")
    width, height = A4
    pages = 0
    for start in range(0, len(voter_ids), 1000):
        chunk = voter_ids[start : start + 1000]
        active = _active_index(chunk)
        voters = Voter.objects.in_bulk(chunk)
        for vid in chunk:
            voter = voters.get(vid)
            if voter is None or vid not in active:
                continue
            code = code_derive(credential_set=cset, voter_id=vid, index=active[vid])
            _page(canvas, election, voter, code, (title, lines, portal), width, height)
            pages += 1
        if progress is not None:
            progress(min(start + 1000, len(voter_ids)), len(voter_ids))
    canvas.save()
    return pages


def _page(
    c: Canvas,
    election: Any,
    voter: Any,
    code: str,
    wording: tuple[str, list[str], str],
    width: float,
    height: float,
) -> None:
    title, lines, portal = wording
    x = 25 * mm
    c.setFont("Helvetica", 10)
    c.drawString(x, height - 25 * mm, election.name)
    c.setFont("Helvetica-Bold", 12)
    c.drawString(width - 95 * mm, height - 50 * mm, f"{voter.first_name} {voter.last_name}")
    c.setFont("Helvetica", 11)
    c.drawString(width - 95 * mm, height - 56 * mm, voter.establishment[:45])
    c.drawString(width - 95 * mm, height - 62 * mm, f"{voter.departement} – {voter.academie}")
    c.setFont("Helvetica-Bold", 16)
    c.drawString(x, height - 95 * mm, title)
    c.setFont("Courier-Bold", 22)
    c.drawString(x, height - 110 * mm, code)
    c.setFont("Helvetica", 11)
    y = height - 130 * mm
    for line in lines:
        c.drawString(x, y, line)
        y -= 6 * mm
    c.setFont("Helvetica-Bold", 12)
    c.drawString(x, y - 6 * mm, f"Adresse du vote : {portal}")
    c.setFont("Helvetica", 8)
    c.drawString(
        x, 15 * mm, f"Réf. électeur {voter.pk} – ne jetez pas cet avis avant la fin du vote."
    )
    c.showPage()


class _Pipe:
    """A write-only file whose written bytes are handed out in pieces (streaming)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        return out


def notices_batch_pdf(*, election: Any, number: int, actor: Any) -> bytes | None:
    """Print batch ``number`` (from 1) of the election's notices as one PDF, made for the
    caller and not kept (ADR 0302); the download is audited. None for an unknown batch."""
    batches = notice_batches(election_id=election.pk)
    if not 1 <= number <= len(batches):
        return None
    pipe = _Pipe()
    pages = notices_write(
        election=election,
        voter_ids=batches[number - 1].voter_ids,
        out=pipe,  # type: ignore[arg-type]  # reportlab needs write() only
    )
    audit_append(
        actor=actor,
        action="authority.notices_downloaded",
        obj=election,
        data={"batch": number, "pages": pages},
    )
    return pipe.take()
