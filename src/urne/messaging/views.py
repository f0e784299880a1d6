"""Back-office pages of the messaging app: the opening-mail campaign with its progress
(managers), and the development mailbox (DEBUG only, managers)."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from urne.backoffice.permissions import MANAGE_ELECTION, staff_required
from urne.elections.models import Election

from . import services
from .channels import FileChannel
from .models import Campaign
from .registry import campaign_template_names


@staff_required(MANAGE_ELECTION)
def campaigns(request: HttpRequest, election_id: int) -> HttpResponse:
    election = get_object_or_404(Election, pk=election_id)
    if request.method == "POST":
        template = request.POST.get("template", "")
        if template not in campaign_template_names():
            messages.error(request, _("Modèle de message inconnu."))
            return redirect("messaging:campaigns", election_id=election.pk)
        campaign = services.campaign_start(actor=request.user, election=election, template=template)
        messages.success(request, _("Envoi lancé."))
        return redirect("messaging:campaign", campaign_id=campaign.pk)
    rows = [
        (c, services.campaign_progress(c))
        for c in Campaign.objects.filter(election=election).order_by("-pk")[:20]
    ]
    return render(
        request,
        "messaging/campaigns.html",
        {"election": election, "rows": rows, "templates": campaign_template_names()},
    )


@staff_required(MANAGE_ELECTION)
def campaign(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.select_related("election"), pk=campaign_id)
    progress = services.campaign_progress(campaign)
    done = progress["sent"] + progress["failed"]
    percent = int(100 * done / progress["total"]) if progress["total"] else 100
    if request.GET.get("format") == "json":
        return JsonResponse({**progress, "state": campaign.state, "percent": percent})
    return render(
        request,
        "messaging/campaign.html",
        {
            "campaign": campaign,
            "election": campaign.election,
            "progress": progress,
            "percent": percent,
            "running": campaign.state == Campaign.State.RUNNING,
        },
    )


@staff_required(MANAGE_ELECTION)
@require_POST
def campaign_control(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    if request.POST.get("action") == "pause":
        services.campaign_pause(actor=request.user, campaign=campaign)
    elif request.POST.get("action") == "resume":
        services.campaign_resume(actor=request.user, campaign=campaign)
    return redirect("messaging:campaign", campaign_id=campaign.pk)


def mailbox(request: HttpRequest) -> HttpResponse:
    """Development only: the e-mails the FileChannel wrote (404 unless DEBUG), for managers:
    every opening and reset link is on this page, so anyone else reading it could take over
    the demo's voter accounts."""
    if not settings.DEBUG:
        raise Http404
    return _mailbox(request)


@staff_required(MANAGE_ELECTION)
def _mailbox(request: HttpRequest) -> HttpResponse:
    items = []
    for name, message in FileChannel.messages():
        body = message.get_body(preferencelist=("plain",))
        items.append(
            {
                "name": name,
                "to": message["To"],
                "subject": message["Subject"],
                "text": body.get_content() if body else "",
            }
        )
    return render(request, "messaging/mailbox.html", {"items": items})
