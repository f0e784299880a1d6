"""The bureau's seal page (ADRs 0750, 0752): the rehearsal (run, report, wipe), the seal
(computed by the president, confirmed by each key holder from their own session), its checks
and the bureau's decision after a mismatch; the PV and the export for the outside check."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from urne.backoffice.permissions import BUREAU_PAGES, bureau_pages_require, staff_required
from urne.elections.models import Election
from urne.site.parsing import InputError, int_id, refusal_page, text

from .models import Rehearsal, Seal, SealCheck
from .rehearsal import rehearsal_run, rehearsal_wipe
from .seal import (
    SealError,
    seal_check,
    seal_compute,
    seal_confirm,
    seal_decision_record,
    seal_export_bytes,
    seal_summary,
)
from .seal_pv import seal_pv_pdf
from .selectors import bureau_member


def _context(request: HttpRequest, election: Election) -> dict[str, object]:
    seals = list(Seal.objects.filter(election=election).order_by("-pk")[:5])
    member = bureau_member(request.user, election)
    confirmed = {s.pk: list(s.confirmations.select_related("member").order_by("at")) for s in seals}
    return {
        "election": election,
        "member": member,
        "rehearsal": Rehearsal.objects.filter(election=election).order_by("-pk").first(),
        "seals": [
            {
                "seal": s,
                "summary": seal_summary(s),
                "confirmations": confirmed[s.pk],
                "mine": member is not None
                and any(c.member_id == member.pk for c in confirmed[s.pk]),
            }
            for s in seals
        ],
        "checks": list(
            SealCheck.objects.filter(seal__election=election)
            .select_related("seal", "decision")
            .order_by("-pk")[:20]
        ),
    }


@staff_required(BUREAU_PAGES)
@require_http_methods(["GET", "POST"])
def seal_page(request: HttpRequest, election_id: int) -> HttpResponse:
    election = get_object_or_404(Election, pk=election_id)
    bureau_pages_require(request, election)  # that election's bureau only (ADR 0702)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "rehearse":
                rehearsal = rehearsal_run(election=election, actor=request.user)
                if rehearsal.report.get("ok"):
                    messages.success(request, _("Vote d'essai fait : tout concorde."))
                else:
                    messages.error(request, _("Vote d'essai fait : des écarts sont signalés."))
            elif action == "wipe":
                rehearsal = get_object_or_404(
                    Rehearsal,
                    election=election,
                    pk=int_id(request.POST.get("rehearsal", "")),
                    wiped_at__isnull=True,
                )
                rehearsal_wipe(rehearsal=rehearsal, actor=request.user)
                messages.success(request, _("Vote d'essai effacé."))
            elif action == "compute":
                seal_compute(election=election, actor=request.user)
                messages.success(request, _("Empreinte calculée : chaque détenteur la confirme."))
            elif action == "confirm":
                seal = get_object_or_404(
                    Seal, election=election, pk=int_id(request.POST.get("seal", ""))
                )
                seal = seal_confirm(seal=seal, actor=request.user)
                if seal.sealed_at:
                    messages.success(request, _("L'élection est scellée."))
                else:
                    messages.success(request, _("Confirmation enregistrée."))
            elif action == "check":
                outcome = seal_check(election=election, actor=request.user)
                if not outcome.checks:
                    raise SealError("not_sealed")
                if outcome.ok:
                    messages.success(request, _("Le scellement se vérifie."))
                else:
                    messages.error(
                        request,
                        _("Le scellement ne se vérifie pas : %(c)s.")
                        % {"c": ", ".join(outcome.components)},
                    )
            elif action == "decide":
                check = get_object_or_404(
                    SealCheck, seal__election=election, pk=int_id(request.POST.get("check", ""))
                )
                decision = text(request.POST.get("text", ""), max_length=4000)
                seal_decision_record(check=check, actor=request.user, text=decision)
                messages.success(request, _("Décision du bureau enregistrée."))
            else:
                raise InputError("not_text")
        except InputError as exc:
            return refusal_page(request, exc)
        except SealError as exc:
            messages.error(request, exc.message)
            return render(request, "bureau/seal_page.html", _context(request, election), status=400)
        return redirect("bureau:seal", election.pk)
    return render(request, "bureau/seal_page.html", _context(request, election))


def _seal(request: HttpRequest, election_id: int, seal_id: int) -> Seal:
    seal = (
        Seal.objects.select_related("election").filter(election_id=election_id, pk=seal_id).first()
    )
    if seal is None:
        raise Http404
    bureau_pages_require(request, seal.election)  # that election's bureau only (ADR 0702)
    return seal


@staff_required(BUREAU_PAGES)
@require_GET
def seal_pv(request: HttpRequest, election_id: int, seal_id: int) -> HttpResponse:
    seal = _seal(request, election_id, seal_id)
    response = HttpResponse(seal_pv_pdf(seal=seal), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="pv-scellement-{seal.pk}.pdf"'
    return response


@staff_required(BUREAU_PAGES)
@require_GET
def seal_export(request: HttpRequest, election_id: int, seal_id: int) -> HttpResponse:
    """The manifest and the sealed files, for ``urne-seal-check`` (audited)."""
    seal = _seal(request, election_id, seal_id)
    data = seal_export_bytes(seal=seal, actor=request.user)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="scellement-{seal.pk}.zip"'
    return response


@staff_required(BUREAU_PAGES)
@require_GET
def seal_manifest_json(request: HttpRequest, election_id: int, seal_id: int) -> HttpResponse:
    seal = _seal(request, election_id, seal_id)
    return HttpResponse(
        json.dumps(json.loads(seal.manifest), indent=1, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
