from django.contrib import admin

from urne.backoffice.admin_audit import AuditedAdmin

from . import models


@admin.register(models.AssistanceRequest)
class AssistanceRequestAdmin(AuditedAdmin):
    """The helpdesk reads requests and marks them handled (audited like every admin write)."""

    list_display = ["created_at", "topic", "name", "email", "status", "election"]
    list_filter = ["status", "topic", "election"]
    search_fields = ["name", "email"]
    readonly_fields = ["election", "voter", "name", "email", "topic", "message", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False
