"""The bureau's copy of a ballot box during the vote (ADR 0324): participation is secret to
the public until the close, but the polling station (bureau members and union delegates)
follows it live and may check the archive at any time. Every download is audited. Only the
scrutin's own election's bureau (``permissions.bureau_pages_allowed``, in ``archive_visible``)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.views.decorators.http import require_GET

from urne.backoffice.permissions import BUREAU_PAGES, archive_visible, staff_required
from urne.elections.models import Scrutin
from urne.urn.selectors import urn_head
from urne.urn.services import urn_archive_download


@require_GET
@staff_required(BUREAU_PAGES)
def bureau_archive(request: HttpRequest, scrutin_uuid: str) -> StreamingHttpResponse:
    """The scrutin's current ``.bel`` archive, whatever the calendar, for the bureau."""
    if urn_head(scrutin_uuid=scrutin_uuid) is None:
        raise Http404
    scrutin = Scrutin.objects.select_related("election").filter(uuid=scrutin_uuid).first()
    if not archive_visible(user=request.user, scrutin=scrutin):
        raise PermissionDenied
    response = StreamingHttpResponse(
        urn_archive_download(actor=request.user, scrutin_uuid=scrutin_uuid),
        content_type="application/x-tar",
    )
    response["Content-Disposition"] = f'attachment; filename="{scrutin_uuid}.bel"'
    response["Cache-Control"] = "no-store"
    return response
