"""The staff session's guard, on every request (ADR 0511, 0512): a staff session past its
idle or absolute lifetime, or of a role that needs the second factor without it verified, is
logged out before any view runs; the back office's login page then says why."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from .staff_auth import second_factor_required, staff_session_fresh

EXPIRED = _("Votre session a expiré faute d'activité. Veuillez vous reconnecter.")
UNVERIFIED = _("Votre rôle demande un code à usage unique : veuillez vous reconnecter.")


class StaffSessionMiddleware:
    """After django-otp's ``OTPMiddleware`` (``request.user.is_verified``) and the messages'."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Only a session holding a staff login is read further (a voter's has no SESSION_KEY).
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session:
            reason = None
            if not staff_session_fresh(request):
                reason = EXPIRED
            elif second_factor_required(request.user) and not request.user.is_verified():  # type: ignore[union-attr]
                reason = UNVERIFIED
            if reason is not None:
                logout(request)
                messages.warning(request, reason)
        return self.get_response(request)
