"""`voter_login_required`: the voter pages' guard (contract for the portal, booth and urn)."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator

from .session import session_account


def voter_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Run `view` for a logged-in voter (``request.voter`` set); otherwise redirect to
    ``accounts:login`` with ``next`` (and ``expired=1`` when the session timed out)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        account = session_account(request)
        if account is None:
            query = {"next": request.get_full_path()}
            if getattr(request, "urne_session_expired", False):
                query["expired"] = "1"
            return HttpResponseRedirect(f"{reverse('accounts:login')}?{urlencode(query)}")
        request.voter = account.voter  # type: ignore[attr-defined]
        request.voter_account = account  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


class VoterLoginRequiredMixin:
    """Class-based views: the same guard as `voter_login_required`."""

    # A mixin: dispatch is the view class's, beside which it is mixed in.
    @method_decorator(voter_login_required)  # type: ignore[arg-type]
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
