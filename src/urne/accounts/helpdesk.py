"""Helpdesk actions on a voter's account, shown on the back office's voter
page: resend the opening e-mail, start the failures count again (the CAPTCHA is then no
longer asked, ADR 0500). Staff only, audited by the services."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from urne.backoffice.permissions import FIND_VOTER, staff_required
from urne.elections.models import Voter

from . import services


@staff_required(FIND_VOTER)
@require_POST
def voter_account(request: HttpRequest, voter_id: int) -> HttpResponse:
    voter = get_object_or_404(Voter, pk=voter_id)
    action = request.POST.get("action")
    if action == "resend_opening":
        services.opening_resend(actor=request.user, voter=voter)
        messages.success(request, _("Le courriel d'ouverture va être renvoyé."))
    elif action == "failures_clear":
        account = services.account_ensure(voter=voter)
        services.account_failures_clear(actor=request.user, account=account)
        messages.success(request, _("Le CAPTCHA ne sera plus demandé à ce compte."))
    else:
        messages.error(request, _("Action inconnue."))
    return redirect("backoffice:voter", voter_id=voter.pk)
