"""The manager's page of the bureau's members, and the invitation's pages a member opens from
the e-mail (ADR 0700). Views parse, call one service of ``members``, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from urne.accounts.forms import LinkForm
from urne.accounts.tokens import token_digest
from urne.backoffice import staff_auth
from urne.backoffice.permissions import (
    MANAGE_ELECTION,
    VIEW_ELECTION,
    permission_require,
    staff_required,
)
from urne.elections.models import Election
from urne.site.ratelimit import client_address, rate_limited

from .forms import InvitationPasswordForm, MemberActionForm, MemberAddForm, ScrutinsForm
from .members import (
    MemberError,
    Sent,
    bureau_of,
    bureau_scrutins_set,
    invitation_accept,
    invitation_open,
    invitation_valid,
    member_access_reset,
    member_add,
    member_email_change,
    member_invite,
    member_remove,
    members_overview,
    unions_with_a_list,
)
from .models import Member

#: The session's record of an opened invitation: {"digest": the token's SHA-256}.
INVITATION_KEY = "urne_bureau_invitation"


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def _sent(request: HttpRequest, sent: Sent, member: Member) -> None:
    if sent.delivered:
        messages.success(request, _("Invitation envoyée à %(email)s.") % {"email": member.email})
    else:
        messages.error(
            request,
            _("Le courriel d'invitation n'est pas parti : réessayez l'envoi plus tard."),
        )


@staff_required(VIEW_ELECTION)
@require_http_methods(["GET", "POST"])
def members_manage(request: HttpRequest, election_id: int) -> HttpResponse:
    """The manager names the members, chooses the scrutins covered, invites and resets. No
    field here shows or sets a member's password or second factor."""
    election = get_object_or_404(Election, pk=election_id)
    bureau = bureau_of(election)
    add_form = MemberAddForm(election=election)
    scrutins_form = ScrutinsForm(bureau=bureau, initial={"scrutins": bureau.scrutins.all()})
    status = 200
    if request.method == "POST":
        permission_require(request, MANAGE_ELECTION)
        action = request.POST.get("action")
        try:
            if action == "add":
                add_form = MemberAddForm(request.POST, election=election)
                if add_form.is_valid():
                    data = add_form.cleaned_data
                    member_add(
                        actor=request.user,
                        election=election,
                        role=data["role"],
                        name=data["name"],
                        email=data["email"],
                        union=data["union"],
                        language=data["language"] or "fr",
                    )
                    messages.success(request, _("Membre ajouté."))
                    return redirect("bureau:members_manage", election.pk)
                status = 400
            elif action == "scrutins":
                scrutins_form = ScrutinsForm(request.POST, bureau=bureau)
                if scrutins_form.is_valid():
                    bureau_scrutins_set(
                        actor=request.user,
                        bureau=bureau,
                        scrutins=list(scrutins_form.cleaned_data["scrutins"]),
                    )
                    messages.success(request, _("Scrutins couverts enregistrés."))
                    return redirect("bureau:members_manage", election.pk)
                status = 400
            elif action in ("invite", "reset", "remove", "edit"):
                form = MemberActionForm(request.POST)
                if not form.is_valid():
                    messages.error(request, _("Choisissez un membre de ce bureau."))
                    status = 400
                else:
                    member = get_object_or_404(
                        Member, pk=form.cleaned_data["member"], bureau=bureau
                    )
                    if action in ("remove", "edit"):
                        _member_change(request, action, member, form.cleaned_data)
                        return redirect("bureau:members_manage", election.pk)
                    if action == "invite":
                        sent = member_invite(actor=request.user, member=member)
                    else:
                        sent = member_access_reset(
                            actor=request.user,
                            member=member,
                            reason=form.cleaned_data["reason"],
                        )
                        messages.success(
                            request,
                            _("Accès de %(name)s réinitialisé ; le bureau en est informé.")
                            % {"name": member.name},
                        )
                    _sent(request, sent, member)
                    return redirect("bureau:members_manage", election.pk)
            else:
                messages.error(request, _("Action inconnue."))
                status = 400
        except MemberError as exc:
            messages.error(request, exc.message)
            status = 400
    return render(
        request,
        "bureau/members_manage.html",
        {
            "election": election,
            "bureau": bureau,
            "rows": members_overview(bureau),
            "missing": unions_with_a_list(election).exclude(delegates__bureau=bureau),
            "add_form": add_form,
            "scrutins_form": scrutins_form,
        },
        status=status,
    )


def _member_change(request: HttpRequest, action: str, member: Member, data: dict[str, Any]) -> None:
    """Remove a member, or correct their address and language (``MemberError`` raised)."""
    if action == "remove":
        member_remove(actor=request.user, member=member, reason=data["reason"])
        messages.success(
            request,
            _("%(name)s est retiré du bureau ; ses accès sont fermés.") % {"name": member.name},
        )
        return
    if not data["email"]:
        raise MemberError("email_needed")
    member_email_change(
        actor=request.user, member=member, email=data["email"], language=data["language"]
    )
    messages.success(
        request,
        _("Courriel de %(name)s enregistré : invitez-le de nouveau.") % {"name": member.name},
    )


# --- the invitation (public: the member has no account yet) -----------------------------------


def _limited(request: HttpRequest) -> HttpResponse | None:
    if rate_limited(hits={"staff_login": "ip:" + client_address(request)}):
        return _no_store(render(request, "backoffice/rate_limited.html", {}, status=429))
    return None


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest) -> HttpResponse:
    """The e-mailed link's page: its script posts the token from the fragment (ADR 0532); the
    session keeps its digest, never the token."""
    form = LinkForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if (limited := _limited(request)) is not None:
            return limited
        if form.is_valid():
            found = invitation_open(token=form.cleaned_data["lien"])
            if found is not None:
                request.session.cycle_key()
                request.session[INVITATION_KEY] = {
                    "digest": token_digest(form.cleaned_data["lien"])
                }
                return redirect("bureau:invitation_password")
            return _no_store(
                render(
                    request,
                    "bureau/invitation_invalid.html",
                    {"error": MemberError("invitation_invalid").message},
                    status=410,
                )
            )
        status = 400
    return _no_store(render(request, "bureau/invitation.html", {"form": form}, status=status))


@sensitive_post_parameters("password", "confirmation")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def invitation_password(request: HttpRequest) -> HttpResponse:
    """The member chooses their password; the second factor's enrolment follows (the back
    office's own page, ADR 0511), then the bureau's home."""
    digest = (request.session.get(INVITATION_KEY) or {}).get("digest", "")
    found = invitation_valid(digest=digest) if digest else None
    if found is None:
        request.session.pop(INVITATION_KEY, None)
        return _no_store(
            render(
                request,
                "bureau/invitation_invalid.html",
                {"error": MemberError("invitation_invalid").message},
                status=410,
            )
        )
    member = found.member
    form = InvitationPasswordForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user = invitation_accept(digest=digest, password=form.cleaned_data["password"])
            except ValidationError as exc:
                form.add_error("password", exc)
            except MemberError as exc:
                request.session.pop(INVITATION_KEY, None)
                return _no_store(
                    render(
                        request,
                        "bureau/invitation_invalid.html",
                        {"error": exc.message},
                        status=410,
                    )
                )
            else:
                request.session.pop(INVITATION_KEY, None)
                staff_auth.pending_start(
                    request,
                    user=user,
                    next_url=reverse("bureau:home", args=[member.bureau.election_id]),
                )
                return redirect("backoffice:otp_enrol")
        status = 400
    return _no_store(
        render(
            request,
            "bureau/invitation_password.html",
            {"form": form, "member": member, "login": member.email},
            status=status,
        )
    )
