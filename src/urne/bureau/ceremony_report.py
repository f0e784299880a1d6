"""The procès-verbal of the key ceremony, as PDF: who took part and when, the parameters, each
public key's fingerprint, the trustees' fingerprint written into the urns, and a signature
block for each member. Made from the ceremony's public rows only; each download is audited."""

from __future__ import annotations

import io
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from urne.audit.services import audit_append
from urne.crypto.encoding import loads
from urne.crypto.group import GROUP
from urne.crypto.threshold import VOutput, cert_id
from urne.crypto.trustees import SignedMessage, TrusteePublicKey, parse_trustees

from .ceremony import fingerprint
from .models import Ceremony
from .selectors import bureau_scrutins

PARIS = ZoneInfo("Europe/Paris")


def _when(value: Any) -> str:
    return value.astimezone(PARIS).strftime("%d/%m/%Y %H:%M:%S") if value else "—"


def _key_print(tpk: TrusteePublicKey) -> str:
    """The fingerprint of a public key: SHA-256 of its element string, grouped by 4."""
    element = GROUP.element_to_string(tpk.public_key)
    digest = fingerprint(element)
    return " ".join(digest[i : i + 4] for i in range(0, 64, 4))


def _holder_rows(ceremony: Ceremony) -> list[list[str]]:
    rows = []
    for h in ceremony.holders.select_related("member", "member__union").order_by("position"):
        member = h.member
        who = escape(member.name + (f" ({member.union.acronym})" if member.union else ""))
        if h.pubkey:
            kind = _("clé simple")
            key = _key_print(TrusteePublicKey.of_json(loads(h.pubkey)))
        elif h.voutput:
            kind = _("part %(i)d/%(n)d") % {"i": h.position, "n": ceremony.size}
            key = _key_print(VOutput.of_json(loads(h.voutput)).public_key)
        else:
            kind, key = "—", "—"
        cert = cert_id(SignedMessage.of_json(loads(h.cert)))[:16] if h.cert else "—"
        labels = (_("clé ou certificat"), _("polynôme"), _("part de clé"))
        times = (h.key_at, h.polynomial_at, h.voutput_at)
        steps = "<br/>".join(
            f"{label} : {_when(t)}" for label, t in zip(labels, times, strict=True) if t
        )
        rows.append([escape(str(member.get_role_display())), who, kind, key, cert, steps or "—"])
    return rows


def ceremony_pv_pdf(*, ceremony: Ceremony, actor: Any) -> bytes:
    """The procès-verbal's PDF bytes (audited)."""
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=7, leading=9)
    bureau = ceremony.bureau
    election = bureau.election
    story: list[Any] = [
        Paragraph(_("Procès-verbal de la cérémonie des clés"), styles["Title"]),
        Paragraph(escape(str(election.name)), styles["Heading2"]),
    ]
    if ceremony.threshold is None:
        params = _(
            "Paramètres : clé simple du président et clé simple de chacun des deux délégués ; "
            "le déchiffrement requiert les trois clés."
        )
    else:
        params = _(
            "Paramètres : clé simple du président ; partage à seuil des délégués, "
            "%(t)d parmi %(n)d (belenios-tool, canaux AES-GCM) ; le déchiffrement requiert le "
            "président et %(t)d délégués."
        ) % {"t": ceremony.threshold, "n": ceremony.size}
    story += [
        Paragraph(params, styles["BodyText"]),
        Paragraph(
            _("Groupe : Ed25519. Ouverte le %(a)s, terminée le %(b)s (heure de Paris).")
            % {"a": _when(ceremony.started_at), "b": _when(ceremony.finished_at)},
            styles["BodyText"],
        ),
        Paragraph(
            _("Scrutins couverts : %(s)s.")
            % {"s": escape(", ".join(str(s) for s in bureau_scrutins(bureau))) or "—"},
            styles["BodyText"],
        ),
        Spacer(1, 4 * mm),
    ]
    head = [
        _("Rôle"),
        _("Membre"),
        _("Clé"),
        _("Empreinte de la clé publique"),
        _("Certificat"),
        _("Étapes"),
    ]
    rows = [[Paragraph(c, small) for c in row] for row in [head, *_holder_rows(ceremony)]]
    table = Table(rows, colWidths=[22 * mm, 32 * mm, 18 * mm, 45 * mm, 28 * mm, 37 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [table, Spacer(1, 4 * mm)]
    if ceremony.trustees_json:
        trustees = parse_trustees(loads(ceremony.trustees_json))
        story.append(
            Paragraph(
                _("Empreinte SHA-256 de trustees.json (%(n)d entrées) : %(h)s")
                % {"n": len(trustees), "h": fingerprint(ceremony.trustees_json)},
                small,
            )
        )
    story.append(
        Paragraph(
            _(
                "Chaque détenteur a produit sa clé privée sur son propre poste ; seules les "
                "données publiques ci-dessus ont été transmises à la plateforme."
            ),
            styles["BodyText"],
        )
    )
    story.append(Spacer(1, 6 * mm))
    members = bureau.members.order_by("pk")
    sign_rows = [[_("Membre"), _("Rôle"), _("Date"), _("Signature")]] + [
        [m.name, str(m.get_role_display()), "", ""] for m in members
    ]
    signatures = Table(
        sign_rows,
        colWidths=[50 * mm, 35 * mm, 30 * mm, 65 * mm],
        rowHeights=[8 * mm] + [14 * mm] * members.count(),
    )
    signatures.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey)]))
    story += [Paragraph(_("Signatures des membres du bureau"), styles["Heading3"]), signatures]
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        title=_("Procès-verbal de la cérémonie des clés"),
        author="Urne",
        leftMargin=12 * mm,
        rightMargin=12 * mm,
    ).build(story)
    audit_append(actor=actor, action="bureau.ceremony_pv", obj=ceremony, data={})
    return out.getvalue()
