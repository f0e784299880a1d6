"""The public ballot board: per scrutin, the trackers (search, pages) and the current
``.bel`` archive. Public data only: no login, nothing about voters."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from urne.elections.models import Scrutin

from .models import UrnScrutin
from .selectors import urn_archive_chunks, urn_head, urn_trackers

PAGE_SIZE = 100
TRACKER_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


@require_GET
def board_index(request: HttpRequest) -> HttpResponse:
    # Only scrutins whose urn is set up; the uuids come from the urn store (no join across).
    uuids = list(UrnScrutin.objects.using("urn").values_list("uuid", flat=True))
    scrutins = (
        Scrutin.objects.filter(uuid__in=uuids)
        .select_related("body", "election")
        .order_by("election_id", "body_id", "perimeter")
    )
    return render(request, "urn/board_index.html", {"scrutins": scrutins})


@require_GET
def board(request: HttpRequest, scrutin_uuid: str) -> HttpResponse:
    head = urn_head(scrutin_uuid=scrutin_uuid)
    if head is None:
        raise Http404
    scrutin = Scrutin.objects.select_related("body").filter(uuid=scrutin_uuid).first()
    query = request.GET.get("q", "").strip().replace(" ", "+")[:43]
    invalid = bool(query) and not set(query) <= TRACKER_CHARS
    trackers = urn_trackers(scrutin_uuid=scrutin_uuid, query="" if invalid else query)
    page = Paginator(trackers.values_list("tracker", flat=True), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "scrutin": scrutin,
        "uuid": scrutin_uuid,
        "head": head,
        "query": query,
        "invalid": invalid,
        "page": page,
    }
    return render(request, "urn/board.html", context)


@require_GET
def archive(request: HttpRequest, scrutin_uuid: str) -> StreamingHttpResponse:
    if urn_head(scrutin_uuid=scrutin_uuid) is None:
        raise Http404
    response = StreamingHttpResponse(
        urn_archive_chunks(scrutin_uuid=scrutin_uuid), content_type="application/x-tar"
    )
    response["Content-Disposition"] = f'attachment; filename="{scrutin_uuid}.bel"'
    return response
