"""Voter account pages (provisional: identification and logout; the full journeys follow)."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_POST

from .session import session_end


def login(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/login.html", {})


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    session_end(request)
    return HttpResponseRedirect("/")
