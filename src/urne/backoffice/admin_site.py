"""The Django admin's site, closed to every staff role but the administrator (ADRs 0560, 0160).

``UrneAdminSite.has_permission`` asks ``permissions.admin_allowed``; a logged-in user it
refuses gets a 403 on every admin page (never a record, nor a login form to come back to),
an anonymous visitor the login redirect, which ``/admin/login/`` (``auth_views.admin_login``,
routed before the admin's own) turns into the back office's login. ``UrneAdminConfig``
replaces ``django.contrib.admin`` in ``INSTALLED_APPS`` so that ``admin.site`` and every
``@admin.register`` use this site.
"""

from collections.abc import Callable
from functools import update_wrapper
from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .permissions import admin_allowed


class UrneAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return admin_allowed(request.user)

    def admin_view(self, view: Callable[..., Any], cacheable: bool = False) -> Any:
        checked = super().admin_view(view, cacheable)

        def refuse_staff(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            # Django's own check sends anyone it refuses to the login page, logged in or not:
            # a staff member without the right gets the 403 every other staff page gives.
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            response: HttpResponse = checked(request, *args, **kwargs)
            return response

        return update_wrapper(refuse_staff, checked)


class UrneAdminConfig(AdminConfig):
    default_site = "urne.backoffice.admin_site.UrneAdminSite"
