"""The public ballot board (ADR 0324). Public data only: no login, nothing about voters.

During the vote (until the close plus the grace period of late casts) participation is secret
(docs/product.md, "Rules the platform enforces"): the board offers only the lookup of one
tracker (found or not, in this scrutin); no list, no count, no archive. After the close: the
list of trackers (search, pages) and the ``.bel`` archive."""

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from urne.backoffice.permissions import board_published
from urne.elections.models import Scrutin
from urne.site.ratelimit import client_address, rate_limited

from .models import UrnScrutin
from .selectors import urn_archive_chunks, urn_head, urn_tracker_exists, urn_trackers

PAGE_SIZE = 100
TRACKER_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
#: A tracker is the unpadded base64 of a SHA-256: 43 characters.
TRACKER_LENGTH = 43


def _scrutin(scrutin_uuid: str) -> Scrutin | None:
    return Scrutin.objects.select_related("body", "election").filter(uuid=scrutin_uuid).first()


def _frame(scrutin: Scrutin | None) -> dict[str, Any]:
    """What the portal's frame (urn/base.html) shows: the election's name and style, from the
    scrutin; never who is asking."""
    election = scrutin.election if scrutin is not None else None
    return {"election": election, "style": election.style if election else "2022"}


@require_GET
def board_index(request: HttpRequest) -> HttpResponse:
    # Only scrutins whose urn is set up; the uuids come from the urn store (no join across).
    uuids = list(UrnScrutin.objects.using("urn").values_list("uuid", flat=True))
    scrutins = (
        Scrutin.objects.filter(uuid__in=uuids)
        .select_related("body", "election")
        .order_by("election_id", "body_id", "perimeter")
    )
    now = timezone.now()
    rows = [(s, board_published(s, now)) for s in scrutins]
    frame = _frame(rows[0][0] if rows else None)
    return render(request, "urn/board_index.html", {"rows": rows, **frame})


def tracker_query(raw: str) -> str:
    """What was typed or pasted, as a tracker: a "+" that a URL turned into a space is put
    back, including at either end (a tracker may start or end with "+"); spaces around a
    pasted tracker are dropped."""
    text = raw.strip("\t\r\n")
    query = text.replace(" ", "+")
    if len(query) != TRACKER_LENGTH:
        query = text.strip().replace(" ", "+")
    return query[:TRACKER_LENGTH]


@require_GET
def board(request: HttpRequest, scrutin_uuid: str) -> HttpResponse:
    head = urn_head(scrutin_uuid=scrutin_uuid)
    if head is None:
        raise Http404
    scrutin = _scrutin(scrutin_uuid)
    query = tracker_query(request.GET.get("q", ""))
    invalid = bool(query) and not set(query) <= TRACKER_CHARS
    context: dict[str, Any] = {
        **_frame(scrutin),
        "scrutin": scrutin,
        "uuid": scrutin_uuid,
        "query": query,
        "invalid": invalid,
    }
    if not board_published(scrutin):
        return _lookup(request, scrutin_uuid, context)
    trackers = urn_trackers(scrutin_uuid=scrutin_uuid, query="" if invalid else query)
    context["page"] = Paginator(trackers.values_list("tracker", flat=True), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "urn/board.html", context)


def _lookup(request: HttpRequest, scrutin_uuid: str, context: dict[str, Any]) -> HttpResponse:
    """During the vote: one exact tracker, found or not; nothing else (a prefix search would
    count ballots)."""
    query = context["query"]
    if query and not context["invalid"] and len(query) != TRACKER_LENGTH:
        context["invalid"] = True
    status = 200
    if query and not context["invalid"]:
        if rate_limited(hits={"board_lookup": client_address(request)}):
            context["limited"] = True
            status = 429
        else:
            context["found"] = urn_tracker_exists(scrutin_uuid=scrutin_uuid, tracker=query)
    return render(request, "urn/board_lookup.html", context, status=status)


@require_GET
def archive(request: HttpRequest, scrutin_uuid: str) -> HttpResponse | StreamingHttpResponse:
    if urn_head(scrutin_uuid=scrutin_uuid) is None:
        raise Http404
    scrutin = _scrutin(scrutin_uuid)
    if not board_published(scrutin):
        context = {**_frame(scrutin), "scrutin": scrutin, "uuid": scrutin_uuid}
        return render(request, "urn/archive_unpublished.html", context, status=403)
    response = StreamingHttpResponse(
        urn_archive_chunks(scrutin_uuid=scrutin_uuid), content_type="application/x-tar"
    )
    response["Content-Disposition"] = f'attachment; filename="{scrutin_uuid}.bel"'
    return response
