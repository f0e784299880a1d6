"""Admin pages for plain records; every add/change/delete made there is audited too."""

from typing import Any

from django.contrib import admin

from urne.audit.services import audit_append


class AuditedAdmin(admin.ModelAdmin):
    """Hooks the admin's own change log: it runs inside the admin's transaction."""

    def log_addition(self, request: Any, obj: Any, message: Any) -> Any:
        audit_append(actor=request.user, action="admin.add", obj=obj, data={"repr": str(obj)})
        return super().log_addition(request, obj, message)

    def log_change(self, request: Any, obj: Any, message: Any) -> Any:
        audit_append(
            actor=request.user,
            action="admin.change",
            obj=obj,
            data={"repr": str(obj), "message": message},
        )
        return super().log_change(request, obj, message)

    def log_deletions(self, request: Any, queryset: Any) -> Any:
        for obj in queryset:
            audit_append(
                actor=request.user, action="admin.delete", obj=obj, data={"repr": str(obj)}
            )
        return super().log_deletions(request, queryset)
