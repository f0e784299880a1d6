"""The back office's login pages (ADR 0510-0512): the password, then the TOTP code, or the
enrolment of a TOTP device for a role that needs one and has none. Views parse input, call
one service of ``staff_auth``, render. The admin's login page sends here."""

from typing import Any
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from urne.site.ratelimit import client_address, rate_limited

from . import staff_auth
from .forms import StaffCaptchaForm, StaffLoginForm, TotpCodeForm


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"  # a page with a secret or a login form
    return response


def _limited(request: HttpRequest, limit: str) -> HttpResponse | None:
    """The 429 page when this POST is over the named per-address limit."""
    if rate_limited(hits={limit: "ip:" + client_address(request)}):
        return _render(request, "backoffice/rate_limited.html", {}, status=429)
    return None


def _done(request: HttpRequest, next_url: str) -> HttpResponse:
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("backoffice:home")
    return HttpResponseRedirect(next_url)


def _again(request: HttpRequest) -> HttpResponse:
    messages.warning(
        request, _("Veuillez saisir de nouveau votre identifiant et votre mot de passe.")
    )
    return redirect("backoffice:login")


def _form[F: StaffCaptchaForm](
    form_class: type[F], request: HttpRequest, username: str, **kwargs: Any
) -> F:
    """The form, with the CAPTCHA when the login name's failures ask for it (counted again
    after a failure: the next attempt then shows it)."""
    return form_class(
        request=request, captcha_required=staff_auth.captcha_required(username=username), **kwargs
    )


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """Step 1: login name and password (and the CAPTCHA once the name has failures)."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    username = request.POST.get("username", "")
    form = _form(StaffLoginForm, request, username, data=request.POST or None)
    error = None
    if request.method == "POST":
        if (limited := _limited(request, "staff_login")) is not None:
            return limited
        if form.is_valid():
            step = staff_auth.staff_password_login(
                request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                next_url=next_url,
            )
            if step.outcome == "done":
                return _done(request, step.next_url)
            if step.outcome in ("code", "enrol"):
                return redirect(
                    "backoffice:otp" if step.outcome == "code" else "backoffice:otp_enrol"
                )
            error = _("Identifiant ou mot de passe incorrect.")
            form = _form(StaffLoginForm, request, username, initial={"username": username})
    return _render(
        request, "backoffice/login.html", {"form": form, "next": next_url, "error": error}
    )


def _grouped(secret: str) -> str:
    """The base32 secret in groups of four, as authenticator apps show a typed key."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _code_step(request: HttpRequest, *, template: str, enrol: bool) -> HttpResponse:
    user = staff_auth.pending_user(request)
    if user is None:
        return _again(request)
    has_device = staff_auth.staff_device(user) is not None
    if has_device == enrol:  # enrolled users never enrol again; others enrol first
        return redirect("backoffice:otp" if has_device else "backoffice:otp_enrol")
    username = user.get_username()
    form = _form(TotpCodeForm, request, username, data=request.POST or None)
    error = None
    if request.method == "POST":
        if (limited := _limited(request, "staff_otp")) is not None:
            return limited
        if form.is_valid():
            step = staff_auth.staff_code_login(request, user=user, code=form.cleaned_data["code"])
            if step.outcome == "done":
                return _done(request, step.next_url)
            if step.outcome == "again":
                return _again(request)
            form = _form(TotpCodeForm, request, username)
            error = _("Code incorrect ou déjà utilisé. Saisissez le code affiché maintenant.")
    context: dict[str, Any] = {"form": form, "username": username, "error": error}
    if enrol:
        # A new secret on each visit; the one of a failed confirmation is kept.
        device = staff_auth.totp_enrolment_start(user=user, keep=request.method == "POST")
        url = device.config_url
        context.update(
            {
                "qr_svg": segno.make(url, error="m").svg_inline(scale=5, dark="#1b1f24"),
                "secret": _grouped(staff_auth.totp_secret(device)),
            }
        )
    return _render(request, template, context)


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def otp(request: HttpRequest) -> HttpResponse:
    """Step 2: the code of the staff member's TOTP device."""
    return _code_step(request, template="backoffice/otp.html", enrol=False)


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def otp_enrol(request: HttpRequest) -> HttpResponse:
    """Step 2 for a role that needs a device and has none: the secret (QR code and text),
    shown here only, confirmed by a first code."""
    return _code_step(request, template="backoffice/otp_enrol.html", enrol=True)


@never_cache
def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's own login page would skip the CAPTCHA and the second factor: it sends to
    the back office's, which comes back to ``next``. A POST here logs nobody in."""
    next_url = request.GET.get("next") or reverse("admin:index")
    return HttpResponseRedirect(f"{reverse('backoffice:login')}?{urlencode({'next': next_url})}")
