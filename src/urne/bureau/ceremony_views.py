"""The key ceremony's pages (ADR 0722): the bureau's progress page, a holder's own step page
(its keys are made by the page's script, or uploaded from urne-trustee / belenios-tool), the
public files a holder's tool needs, and the procès-verbal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from urne.backoffice.permissions import BUREAU_PAGES, staff_required
from urne.crypto.encoding import dumps, loads
from urne.elections.models import Election
from urne.site.parsing import InputError, int_id, refusal_page, text, utf8

from .ceremony import (
    MAX_TEXT,
    CeremonyError,
    ceremony_certs,
    ceremony_setups_write,
    ceremony_start,
    ceremony_submit,
    holder_due,
    holder_file_name,
    public_json,
)
from .ceremony_report import ceremony_pv_pdf
from .keyloss import KeyLossError, keys_reset, reset_state
from .models import Bureau, Ceremony, CeremonyHolder, Member
from .selectors import bureau_member


def _bureau_of(request: HttpRequest, election_id: int) -> tuple[Bureau, Member | None]:
    """The election's bureau and the member the user is; a 403 for staff of another bureau
    (a superuser may look, never act)."""
    election = get_object_or_404(Election, pk=election_id)
    bureau = Bureau.objects.filter(election=election).first()
    if bureau is None:
        raise Http404
    member = bureau_member(request.user, election)
    if member is None and not getattr(request.user, "is_superuser", False):
        raise PermissionDenied
    return bureau, member


def _live(bureau: Bureau) -> Ceremony | None:
    return bureau.ceremonies.exclude(phase=Ceremony.Phase.CANCELLED).first()


@staff_required(BUREAU_PAGES)
@require_http_methods(["GET", "POST"])
def ceremony_page(request: HttpRequest, election_id: int) -> HttpResponse:
    """Progress (who has done which step, when), the opening by the president, the setups'
    writing, the procès-verbal."""
    bureau, member = _bureau_of(request, election_id)
    ceremony = _live(bureau)
    status = 200
    if request.method == "POST":
        if member is None:
            raise PermissionDenied
        try:
            action = text(request.POST.get("action"), max_length=20)
            if action == "start":
                raw = text(request.POST.get("threshold", ""), max_length=3)
                threshold = int_id(raw, max_digits=2) if raw else None
                ceremony_start(bureau=bureau, threshold=threshold, actor=request.user)
                messages.success(request, _("Cérémonie des clés ouverte."))
            elif action == "setups" and ceremony is not None:
                done = ceremony_setups_write(ceremony=ceremony, actor=request.user)
                messages.success(
                    request, _("Urne initialisée pour %(n)d scrutin(s).") % {"n": len(done.written)}
                )
            else:
                raise InputError("not_text")
        except InputError as exc:
            return refusal_page(request, exc)
        except CeremonyError as exc:
            messages.error(request, exc.message)
            status = 400
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            status = 400
        if status == 200:
            return redirect("bureau:ceremony", bureau.election_id)
    holders = list(ceremony.holders.select_related("member", "member__union")) if ceremony else []
    return render(
        request,
        "bureau/ceremony_page.html",
        {
            "election": bureau.election,
            "bureau": bureau,
            "member": member,
            "ceremony": ceremony,
            "holders": [(h, holder_due(h)) for h in holders],
            "mine": next((h for h in holders if member and h.member_id == member.pk), None),
            "delegates": bureau.members.filter(
                role=Member.Role.DELEGATE, user__isnull=False
            ).count(),
        },
        status=status,
    )


def _holder(request: HttpRequest, election_id: int) -> tuple[Ceremony, CeremonyHolder]:
    bureau, member = _bureau_of(request, election_id)
    ceremony = _live(bureau)
    if ceremony is None:
        raise Http404
    holder = ceremony.holders.filter(member=member).select_related("member").first()
    if holder is None:
        raise PermissionDenied
    holder.ceremony = ceremony
    return ceremony, holder


@staff_required(BUREAU_PAGES)
@require_http_methods(["GET", "POST"])
def ceremony_holder(request: HttpRequest, election_id: int) -> HttpResponse:
    """A holder's step: the page's script makes the keys and fills the public file in; or the
    holder uploads the one urne-trustee or belenios-tool wrote."""
    ceremony, holder = _holder(request, election_id)
    status = 200
    if request.method == "POST":
        try:
            upload = request.FILES.get("file")
            if upload is not None:
                if upload.size is None or upload.size > MAX_TEXT:
                    raise CeremonyError("unreadable", e=_("fichier trop grand"))
                content = utf8(upload.read())
            else:
                content = text(request.POST.get("public", ""), max_length=MAX_TEXT)
            done = ceremony_submit(
                ceremony=ceremony, member=holder.member, text=content, actor=request.user
            )
        except InputError as exc:
            return refusal_page(request, exc)
        except CeremonyError as exc:
            messages.error(request, exc.message)
            status = 400
        else:
            messages.success(
                request,
                _("Étape enregistrée (empreinte %(h)s).") % {"h": done.fingerprint[:16]},
            )
            return redirect("bureau:ceremony_holder", election_id)
        ceremony.refresh_from_db()
    return render(
        request,
        "bureau/ceremony_holder.html",
        {
            "election": ceremony.bureau.election,
            "ceremony": ceremony,
            "holder": holder,
            "due": holder_due(holder),
            "data": public_json(ceremony, holder),
            "texts": page_texts(),
        },
        status=status,
    )


def page_texts() -> dict[str, str]:
    """The sentences the page's script shows (``%s``: a file name or an error)."""
    return {
        "wrapping": _("Protection du fichier par la phrase de passe…"),
        "unwrapping": _("Ouverture du fichier protégé…"),
        "no_key_file": _("Choisissez d'abord votre fichier ID.key."),
        "not_key_file": _("Ce fichier n'est pas un fichier ID.key."),
        "key_done": _(
            "Clé produite ; fichier privé enregistré : %s. Envoyez maintenant la clé publique."
        ),
        "cert_done": _(
            "Certificat produit ; fichier privé enregistré : %s. Envoyez maintenant le certificat."
        ),
        "polynomial_working": _("Calcul du polynôme…"),
        "polynomial_done": _("Polynôme calculé. Envoyez-le maintenant."),
        "voutput_working": _("Vérification des parts reçues…"),
        "voutput_done": _(
            "Part de clé vérifiée ; fichier privé enregistré : %s. "
            "Envoyez maintenant la donnée publique."
        ),
        "failed": _("Échec : %s"),
    }


#: The public files a holder's tool reads.
FILES = frozenset({"certs", "vinput", "dkey", "threshold", "trustees"})


@staff_required(BUREAU_PAGES)
@require_GET
def ceremony_file(request: HttpRequest, election_id: int, kind: str) -> HttpResponse:
    """``certs.jsonl`` (``--certs`` of steps 3 and 5), the holder's ``ID.vinput`` (step 5's
    input) and ``ID.dkey`` (its key share, encrypted to its own ``ID.key``), and the public
    ``threshold.json`` and ``trustees.json``."""
    if kind not in FILES:
        raise Http404
    ceremony, holder = _holder(request, election_id)
    body, name = "", kind
    if kind == "certs":
        body = "\n".join(dumps(c.to_json()) for c in ceremony_certs(ceremony))
        name = "certs.jsonl"
    elif kind == "vinput" and holder.vinput:
        body, name = holder.vinput, holder_file_name(holder, "vinput")
    elif kind == "dkey" and holder.voutput and ceremony.group_json:
        body = str(loads(holder.voutput)["private_key"])
        name = holder_file_name(holder, "dkey")
    elif kind == "threshold" and ceremony.group_json:
        body, name = ceremony.group_json, "threshold.json"
    elif kind == "trustees" and ceremony.trustees_json:
        body, name = ceremony.trustees_json, "trustees.json"
    if not body:
        raise Http404
    response = HttpResponse(body + "\n", content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@staff_required(BUREAU_PAGES)
@require_GET
def ceremony_pv(request: HttpRequest, election_id: int) -> HttpResponse:
    """The ceremony's procès-verbal (PDF)."""
    bureau, _member = _bureau_of(request, election_id)
    ceremony = _live(bureau)
    if ceremony is None:
        raise Http404
    pdf = ceremony_pv_pdf(ceremony=ceremony, actor=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="pv-ceremonie-{bureau.election_id}.pdf"'
    )
    response["Cache-Control"] = "no-store"
    return response


@staff_required(BUREAU_PAGES)
@require_http_methods(["GET", "POST"])
def ceremony_cancel(request: HttpRequest, election_id: int) -> HttpResponse:
    """After a key loss declared before the seal (ADR 0701, 0703): what cancelling the keys
    removes, and the president's confirmation; after the seal, why it cannot be done."""
    bureau, member = _bureau_of(request, election_id)
    status = 200
    if request.method == "POST":
        try:
            keys_reset(bureau=bureau, actor=request.user)
        except KeyLossError as exc:
            messages.error(request, exc.message)
            status = 403 if exc.code == "reset_president_only" else 400
        else:
            messages.success(
                request,
                _("Cérémonie annulée et clés retirées des urnes : ouvrez une nouvelle cérémonie."),
            )
            return redirect("bureau:ceremony", bureau.election_id)
    return render(
        request,
        "bureau/ceremony_cancel.html",
        {
            "election": bureau.election,
            "member": member,
            "state": reset_state(bureau=bureau),
        },
        status=status,
    )
