"""The cast endpoint (JSON) and the printable receipt. Views parse, call one service, answer."""

import logging
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from urne.accounts.decorators import voter_login_required
from urne.accounts.session import session_claim, session_forget
from urne.elections.models import Scrutin, Voter
from urne.site.parsing import InputError, json_body, json_endpoint, refusal_json, text
from urne.site.public_url import public_url
from urne.site.ratelimit import client_address, rate_limited
from urne.urn.selectors import urn_tracker_exists

from .errors import CAST_ERRORS
from .models import Emargement
from .services import (
    MAX_BALLOT_BYTES,
    CastError,
    cast_submit,
    receipt_board_url,
    receipt_send,
    scrutin_label,
)

log = logging.getLogger(__name__)

#: A body twice the largest ballot: a ballot a little over its limit is still read and
#: refused as ``invalid_ballot`` (ADR 0322), a larger body is not read into a string at all.
MAX_CAST_BODY = 2 * MAX_BALLOT_BYTES


def _error(code: str) -> JsonResponse:
    status, message = CAST_ERRORS[code]
    return JsonResponse({"code": code, "message": str(message)}, status=status)


_csrf = CsrfViewMiddleware(lambda request: HttpResponse())


@json_endpoint
@csrf_exempt  # checked below, so that a refusal is JSON like every other
@require_POST
def cast(request: HttpRequest) -> JsonResponse:
    """POST ``{"scrutin": uuid, "ballot": "<Belenios ballot string>"}`` (CSRF header, voter
    session). 200 ``{tracker, scrutin, resent, receipt_url}``; else ``{code, message}``."""
    # No view to hand the middleware: the cast endpoint is csrf_exempt, and passing it would
    # skip the check this call exists to make.
    if _csrf.process_view(request, None, (), {}) is not None:  # type: ignore[arg-type]
        return _error("csrf_failed")
    # The session's claim only: the account is read and checked with the cast's own query.
    claim = session_claim(request)
    if claim is None:
        return _error("not_logged_in")
    if rate_limited(
        hits={"cast_voter": f"a{claim.account_id}", "cast_address": client_address(request)}
    ):
        return _error("rate_limited")
    try:
        # The ballot is a string: the body nests one level (ADR 0520).
        payload = json_body(request, max_bytes=MAX_CAST_BODY, max_depth=1)
        if not isinstance(payload, dict) or not {"scrutin", "ballot"} <= payload.keys():
            return _error("bad_request")
        scrutin_uuid = text(payload["scrutin"], max_length=64)
        ballot = text(payload["ballot"], max_length=MAX_CAST_BODY)
    except InputError as exc:
        return refusal_json(exc)
    try:
        receipt = cast_submit(claim=claim, scrutin_uuid=scrutin_uuid, ballot=ballot)
    except CastError as exc:
        if exc.code == "not_logged_in":
            session_forget(request)
        return _error(exc.code)
    except Exception:  # a database outage: the voter resends safely (no double count)
        log.exception("cast failed")
        return _error("unavailable")
    receipt_url = (
        reverse("booth:receipt", args=[receipt.scrutin_uuid])
        + "?"
        + urlencode({"suivi": receipt.tracker})
    )
    if not receipt.resent:
        board = receipt_board_url(scrutin_uuid=receipt.scrutin_uuid, tracker=receipt.tracker)
        receipt_send(receipt=receipt, scrutin_label=receipt.label, url=board)
    return JsonResponse(
        {
            "tracker": receipt.tracker,
            "scrutin": receipt.scrutin_uuid,
            "resent": receipt.resent,
            "receipt_url": receipt_url,
            "message": gettext("Votre vote a bien été enregistré."),
        }
    )


@require_GET
@voter_login_required
def receipt(request: HttpRequest, scrutin_uuid: str) -> HttpResponse:
    """The printable receipt of the voter's ballot in a scrutin: the tracker given in the
    query (the page keeps nothing), shown only if the voter voted there and it is in the urn."""
    scrutin = get_object_or_404(Scrutin.objects.select_related("body"), uuid=scrutin_uuid)
    # A "+" typed or pasted in a URL arrives as a space.
    tracker = request.GET.get("suivi", "").strip().replace(" ", "+")[:43]
    voter: Voter = request.voter  # type: ignore[attr-defined]
    voted = Emargement.objects.filter(
        voter=voter,
        scrutin=scrutin,
        state=Emargement.State.VOTED,
    ).first()
    found = bool(
        voted and tracker and urn_tracker_exists(scrutin_uuid=scrutin_uuid, tracker=tracker)
    )
    context = {
        # The portal's frame (cast/receipt.html extends portal/base.html).
        "election": voter.election,
        "style": voter.election.style,
        "portal_voter": voter,
        "scrutin": scrutin,
        "label": scrutin_label(scrutin),
        "tracker": tracker if found else "",
        "voted": voted,
        "board_url": reverse("urn:board", args=[scrutin_uuid]),
        # On paper the link is gone: its address is printed instead.
        "board_public_url": public_url(reverse("urn:board", args=[scrutin_uuid])),
    }
    return render(request, "cast/receipt.html", context, status=200 if found else 404)
