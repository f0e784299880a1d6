"""The PV of the seal (procès-verbal de scellement, ADR 0750): the election, the fingerprint,
each component's digest, who confirmed it and when, and a signature block for the president
and the delegates present. A PDF drawn with reportlab, as the notices are."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .models import Member, Seal
from .seal import seal_summary


def _paris(moment: object) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M:%S")  # type: ignore[arg-type]


def seal_pv_pdf(*, seal: Seal) -> bytes:
    """The PV of ``seal`` as PDF bytes."""
    out = io.BytesIO()
    c = Canvas(out, pagesize=A4, pageCompression=1)
    c.setTitle(_("Procès-verbal de scellement"))
    _width, height = A4
    x, y = 20 * mm, height - 25 * mm

    def line(text: str, font: str = "Helvetica", size: int = 10, step: float = 5.5) -> None:
        nonlocal y
        if y < 25 * mm:
            c.showPage()
            y = height - 25 * mm
        c.setFont(font, size)
        c.drawString(x, y, text)
        y -= step * mm

    line(_("Procès-verbal de scellement"), "Helvetica-Bold", 16, 9)
    line(seal.election.name, "Helvetica-Bold", 12, 7)
    line(_("Nature : %(k)s") % {"k": seal.get_kind_display()})
    line(_("Empreinte calculée le %(d)s (heure de Paris)") % {"d": _paris(seal.computed_at)})
    if seal.sealed_at:
        line(_("Scellement effectif le %(d)s (heure de Paris)") % {"d": _paris(seal.sealed_at)})
    y -= 3 * mm
    line(_("Empreinte (SHA-256) :"), "Helvetica-Bold", 11, 6)
    line(seal.fingerprint[:32], "Courier-Bold", 12, 6)
    line(seal.fingerprint[32:], "Courier-Bold", 12, 9)
    line(_("Composantes scellées"), "Helvetica-Bold", 11, 6)
    for name, entries, digest in seal_summary(seal):
        line(f"{name:<12} {entries:>7}  {digest}", "Courier", 8, 4.5)
    y -= 4 * mm
    line(_("Confirmations depuis la session de chaque membre"), "Helvetica-Bold", 11, 6)
    for conf in seal.confirmations.select_related("member").order_by("at", "pk"):
        line(
            f"{conf.member.get_role_display()} – {conf.member.name} – {_paris(conf.at)}",
            "Helvetica",
            9,
            5,
        )
    y -= 4 * mm
    line(
        _("Vérification hors du serveur : urne-seal-check EXPORT.zip --fingerprint EMPREINTE"),
        "Helvetica-Oblique",
        8,
        8,
    )
    line(_("Signatures"), "Helvetica-Bold", 11, 8)
    # An election without a bureau (a freeze's seal made by the scheduler) has no signer.
    signers = list(
        Member.objects.filter(bureau__election=seal.election, role__in=["president", "delegate"])
    )
    for member in signers:
        if y < 45 * mm:
            c.showPage()
            y = height - 25 * mm
        c.setFont("Helvetica", 10)
        c.drawString(x, y, f"{member.get_role_display()} : {member.name}")
        c.rect(x + 95 * mm, y - 12 * mm, 70 * mm, 16 * mm)
        c.setFont("Helvetica", 7)
        c.drawString(x + 96 * mm, y + 1 * mm, _("Signature"))
        y -= 22 * mm
    c.showPage()
    c.save()
    return out.getvalue()
