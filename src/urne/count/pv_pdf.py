"""The procès-verbal as PDF (reportlab; ADR 0804): one per proclaimed scrutin, and a national
summary of every proclaimed scrutin with the totals per body and the representativeness.

A scrutin's PV: the figures (registered, voters, turnout, blank, valid, each list's votes,
share and seats, the quotient), the check votes = émargements = ballots in the urn, the seal's
checks with their fingerprints and the urn's own (the election's hash and the last event's,
which covers the whole archive), the vote's suspensions and their durations, the bureau
journal's interventions and incidents, the replacement codes issued, who decrypted and when,
the tie draws with the bureau's seed, the proclamation and the bureau's signature block.
The figures are the proclaimed ones, which are the archive's Result (a test reads both).
Text through gettext: the PV is in the language of the request (French by default).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from urne.elections.models import Election
from urne.urn.selectors import urn_head, urn_trustees

from . import pv_sources
from .results import BodyTotal, OrganisationTotal, ScrutinResult, representativeness_body

_STYLES = getSampleStyleSheet()
_BODY = _STYLES["BodyText"]
_SMALL = ParagraphStyle("small", parent=_BODY, fontSize=8, leading=10)
# 64 hexadecimal digits of a SHA-256 on one line in an 85 mm column.
_MONO = ParagraphStyle("mono", parent=_BODY, fontName="Courier", fontSize=6, leading=8)
_GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8ecf3")),
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return date_format(timezone.localtime(moment), "j F Y, H:i:s")


def _duration(delta: timedelta | None) -> str:
    if delta is None:
        return _("en cours")
    minutes, seconds = divmod(int(delta.total_seconds()), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min {seconds:02d} s"


def _pct(value: Decimal | None) -> str:
    """A percentage localised as on the pages (50,00 in French), "—" when there is none."""
    return number_format(value, decimal_pos=2) if value is not None else "—"


def _seats(o: OrganisationTotal) -> str:
    if not o.joint_seats:
        return str(o.seats)
    return _("%(s)d (et %(n)d en liste commune)") % {"s": o.seats, "n": o.joint_seats}


def _quotient(text: str | None) -> str:
    """The exact quotient (``"74/15"``) and its value to 2 places."""
    if not text:
        return "—"
    value = Fraction(text)
    shown = Decimal(value.numerator) / Decimal(value.denominator)
    return f"{text} ({number_format(shown.quantize(Decimal('0.01')), decimal_pos=2)})"


def _p(text: object, style: ParagraphStyle = _BODY) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _table(rows: Sequence[Sequence[object]], widths: Sequence[float] | None = None) -> Table:
    cells = [[c if isinstance(c, Flowable) else _p(c, _SMALL) for c in row] for row in rows]
    table = Table(cells, colWidths=widths, repeatRows=1)
    table.setStyle(_GRID)
    return table


def _h(text: str, level: int = 2) -> Paragraph:
    return Paragraph(escape(text), _STYLES[f"Heading{level}"])


def _signatures(election: Election) -> list[Flowable]:
    """The bureau's signature block: its members when the bureau is named, else the roles."""
    rows: list[list[object]] = [[_("Qualité"), _("Nom"), _("Signature")]]
    bureau = getattr(election, "bureau", None)
    members = list(bureau.members.order_by("-role", "pk")) if bureau is not None else []
    if members:
        for m in members:
            union = f" ({m.union.acronym})" if m.union_id else ""
            rows.append([f"{m.get_role_display()}{union}", m.name, ""])
    else:
        for role in (_("Président"), _("Secrétaire"), _("Délégué de liste"), _("Délégué de liste")):
            rows.append([role, "", ""])
    table = Table(
        [[_p(c, _SMALL) for c in row] for row in rows],
        colWidths=[55 * mm, 60 * mm, 55 * mm],
        rowHeights=[None] + [14 * mm] * (len(rows) - 1),
    )
    table.setStyle(_GRID)
    return [
        _h(_("Signatures des membres du bureau de vote électronique")),
        _p(_("Fait le %(date)s.") % {"date": _when(timezone.now())}),
        table,
    ]


def _figures(r: ScrutinResult) -> list[Flowable]:
    figures = r.count.figures or {}
    pv = figures.get("pv", {})
    rows: list[list[object]] = [
        [_("Électeurs inscrits"), r.registered],
        [_("Votants"), r.voters],
        [_("Participation"), f"{_pct(r.turnout)} %" if r.turnout is not None else "—"],
        [_("Bulletins blancs"), r.blank],
        [_("Bulletins nuls"), pv.get("invalid", 0)],
        [_("Suffrages valablement exprimés"), r.valid],
        [_("Sièges de titulaires à pourvoir"), r.scrutin.titular_seats],
        [_("Quotient électoral"), _quotient(figures.get("quotient"))],
    ]
    lists: list[list[object]] = [
        [_("Liste"), _("Voix"), _("Part des suffrages exprimés (%)"), _("Sièges")]
    ]
    lists += [[lst.name, lst.votes, _pct(lst.share), lst.seats] for lst in r.lists]
    return [
        _h(_("Résultats")),
        _table([[_("Chiffre"), _("Valeur")], *rows], [95 * mm, 60 * mm]),
        Spacer(1, 4 * mm),
        _table(lists, [85 * mm, 25 * mm, 40 * mm, 20 * mm]),
    ]


def _check(r: ScrutinResult) -> list[Flowable]:
    count = r.count
    votes = sum(count.counts or [])
    same = votes == count.emargements == count.tallied
    verdict = _("conforme") if same else _("NON CONFORME")
    return [
        _h(_("Contrôle des votes et des émargements")),
        _p(
            _(
                "Votes décomptés (suffrages exprimés et blancs) : %(votes)d ; émargements : "
                "%(emargements)d ; bulletins dans l'urne : %(ballots)d. Résultat du contrôle : "
                "%(verdict)s."
            )
            % {
                "votes": votes,
                "emargements": count.emargements or 0,
                "ballots": count.tallied,
                "verdict": verdict,
            }
        ),
    ]


def _seal(r: ScrutinResult) -> list[Flowable]:
    scrutin, count = r.scrutin, r.count
    out: list[Flowable] = [_h(_("Scellement et empreintes"))]
    checks = pv_sources.seal_checks(election=scrutin.election, scrutin=scrutin)
    if checks:
        rows: list[list[object]] = [[_("Date"), _("Opération"), _("Empreinte"), _("Résultat")]]
        for c in checks:
            outcome = "—" if c.ok is None else (_("conforme") if c.ok else _("NON CONFORME"))
            rows.append([_when(c.at), c.kind, _p(c.fingerprint, _MONO), outcome])
        out.append(_table(rows, [32 * mm, 25 * mm, 86 * mm, 27 * mm]))
    else:
        out.append(_p(_("Aucun contrôle de scellement n'est enregistré.")))
    head = urn_head(scrutin_uuid=scrutin.uuid)
    rows = [[_("Empreinte (SHA-256)"), _("Valeur")]]
    if head is not None:
        rows.append([_("Élection (urne)"), _p(head.election_hash, _MONO)])
        rows.append([_("Dernier événement de l'urne"), _p(head.last_event, _MONO)])
    rows.append(
        [
            _("Décompte chiffré recalculé à l'ouverture du dépouillement (%(date)s)")
            % {"date": _when(count.opened_at)},
            _p(count.tally_hash, _MONO),
        ]
    )
    out += [Spacer(1, 3 * mm), _table(rows, [80 * mm, 90 * mm])]
    return out


def _suspensions(election: Election) -> list[Flowable]:
    out: list[Flowable] = [_h(_("Suspensions du vote"))]
    periods = pv_sources.suspensions(election=election)
    if not periods:
        return [*out, _p(_("Le vote n'a pas été suspendu."))]
    rows: list[list[object]] = [[_("Début"), _("Fin"), _("Durée"), _("Motif")]]
    for s in periods:
        rows.append([_when(s.start), _when(s.end), _duration(s.duration), s.reason])
    total = sum((s.duration or timedelta(0) for s in periods), timedelta(0))
    out.append(_table(rows, [38 * mm, 38 * mm, 30 * mm, 64 * mm]))
    out.append(_p(_("Durée totale des suspensions : %(d)s.") % {"d": _duration(total)}))
    return out


def _journal(r: ScrutinResult) -> list[Flowable]:
    out: list[Flowable] = [_h(_("Interventions et incidents (journal du bureau)"))]
    entries = pv_sources.journal_entries(election=r.scrutin.election, scrutin=r.scrutin)
    if not entries:
        return [*out, _p(_("Aucune intervention ni aucun incident n'est consigné."))]
    rows: list[list[object]] = [[_("Date"), _("Nature"), _("Par"), _("Texte")]]
    rows += [[_when(e.at), e.kind, e.actor, e.text] for e in entries]
    return [*out, _table(rows, [38 * mm, 27 * mm, 30 * mm, 75 * mm])]


def _decryptions(r: ScrutinResult) -> list[Flowable]:
    trustees = urn_trustees(scrutin_uuid=r.scrutin.uuid)
    rows: list[list[object]] = [[_("Clé"), _("Détenteur"), _("Déposé le"), _("SHA-256")]]
    for d in pv_sources.decryptions(scrutin=r.scrutin, trustees=trustees):
        rows.append([f"{d.trustee} ({_role(d.role)})", d.holder, _when(d.at), _p(d.digest, _MONO)])
    return [
        _h(_("Déchiffrements partiels")),
        _table(rows, [27 * mm, 28 * mm, 29 * mm, 86 * mm]),
    ]


def _role(role: str) -> str:
    """``rules.trustee_role``'s code in words: the president, delegate N."""
    if role == "president":
        return _("président")
    if role.startswith("delegate "):
        return _("délégué %(n)s") % {"n": role.removeprefix("delegate ")}
    return role


def _draws(r: ScrutinResult) -> list[Flowable]:
    out: list[Flowable] = [_h(_("Tirages au sort"))]
    if not r.draws:
        return [*out, _p(_("Aucune égalité n'a été départagée par tirage au sort."))]
    rows: list[list[object]] = [[_("Tour"), _("Listes à égalité"), _("Graine"), _("Attribué à")]]
    for d in r.draws:
        names = d.get("names")
        names = names if isinstance(names, list) else []
        rows.append(
            [d.get("round"), ", ".join(str(n) for n in names), d.get("seed"), d.get("winner")]
        )
    return [*out, _table(rows, [15 * mm, 70 * mm, 45 * mm, 40 * mm])]


def _document(title: str, story: list[Flowable]) -> bytes:
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author="Urne",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    )
    doc.build(story)
    return buffer.getvalue()


def scrutin_pv_pdf(result: ScrutinResult, *, issued: dict[int, int] | None = None) -> bytes:
    """The procès-verbal of one proclaimed scrutin (``issued``: the election's replacement
    codes by voter, ``authority.selectors.replacement_codes_issued``, read once by a caller
    that makes many PVs)."""
    scrutin, count = result.scrutin, result.count
    election = scrutin.election
    title = _("Procès-verbal du dépouillement — %(s)s") % {"s": scrutin}
    by = count.proclaimed_by
    story: list[Flowable] = [
        _h(title, 1),
        _p(election.name),
        _p(
            _("Scrutin : %(body)s %(perimeter)s (identifiant %(uuid)s).")
            % {"body": scrutin.body.name, "perimeter": scrutin.perimeter, "uuid": scrutin.uuid}
        ),
        _p(
            _("Vote ouvert du %(opens)s au %(closes)s (heure de Paris).")
            % {"opens": _when(election.vote_opens), "closes": _when(election.vote_closes)}
        ),
        *_figures(result),
        *_check(result),
        *_seal(result),
        *_suspensions(election),
        *_journal(result),
        _h(_("Codes de remplacement")),
        _p(
            _("Codes de remplacement délivrés aux électeurs de ce scrutin : %(n)d.")
            % {"n": pv_sources.scrutin_replacement_codes(scrutin=scrutin, issued=issued)}
        ),
        *_decryptions(result),
        *_draws(result),
        _h(_("Proclamation")),
        _p(
            _("Résultat proclamé le %(date)s par %(who)s. Graine du tirage au sort : %(seed)s.")
            % {
                "date": _when(count.proclaimed_at),
                "who": by.get_full_name() or by.get_username() if by is not None else "—",
                "seed": count.seed or _("aucune"),
            }
        ),
        KeepTogether(_signatures(election)),
    ]
    return _document(title, story)


def national_pv_pdf(
    *, election: Election, results: list[ScrutinResult], totals: list[BodyTotal]
) -> bytes:
    """The national summary: every proclaimed scrutin, the totals per body, the
    representativeness, the scrutins not yet proclaimed."""
    title = _("Procès-verbal récapitulatif national")
    pending = election.scrutins.count() - len(results)
    rows: list[list[object]] = [
        [_("Scrutin"), _("Inscrits"), _("Votants"), _("Participation"), _("Blancs"),
         _("Exprimés"), _("Sièges")]
    ]  # fmt: skip
    for r in results:
        rows.append(
            [str(r.scrutin), r.registered, r.voters, _pct(r.turnout), r.blank, r.valid,
             r.seats]
        )  # fmt: skip
    story: list[Flowable] = [
        _h(title, 1),
        _p(election.name),
        _p(
            _("%(n)d scrutin(s) proclamé(s) ; %(p)d en attente de proclamation.")
            % {"n": len(results), "p": pending}
        ),
        _h(_("Résultats par scrutin")),
        _table(rows, [48 * mm, 22 * mm, 22 * mm, 24 * mm, 18 * mm, 20 * mm, 16 * mm]),
    ]
    for t in totals:
        story.append(_h(_("Instance : %(body)s") % {"body": t.body.name}))
        story.append(
            _p(
                _(
                    "%(n)d scrutin(s) sur %(m)d ; inscrits %(reg)d ; votants %(vot)d ; "
                    "participation %(turnout)s %% ; blancs %(blank)d ; exprimés %(valid)d."
                )
                % {
                    "n": t.scrutins,
                    "m": t.scrutins_in_body,
                    "reg": t.registered,
                    "vot": t.voters,
                    "turnout": _pct(t.turnout),
                    "blank": t.blank,
                    "valid": t.valid,
                }
            )
        )
        orgs: list[list[object]] = [[_("Organisation"), _("Voix"), _("Part (%)"), _("Sièges")]]
        orgs += [
            [o.name, number_format(o.votes_shown), _pct(o.share), o.seats] for o in t.organisations
        ]
        story.append(_table(orgs, [85 * mm, 30 * mm, 30 * mm, 25 * mm]))
    rep = representativeness_body(totals)
    story.append(_h(_("Représentativité nationale")))
    if rep is None:
        story.append(_p(_("Le scrutin du comité national n'est pas encore proclamé.")))
    else:
        story.append(
            _p(
                _("Mesurée sur les suffrages exprimés du scrutin %(body)s.")
                % {"body": rep.body.name}
            )
        )
        orgs = [[_("Organisation"), _("Voix"), _("Part (%)")]]
        orgs += [[o.name, number_format(o.votes_shown), _pct(o.share)] for o in rep.organisations]
        story.append(_table(orgs, [95 * mm, 40 * mm, 35 * mm]))
    story.append(KeepTogether(_signatures(election)))
    return _document(title, story)


def pv_filename(result: Any) -> str:
    return f"proces-verbal-{result.scrutin.uuid}.pdf"
