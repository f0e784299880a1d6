"""Per-election link lifetimes in the admin (audited). Accounts themselves are not editable:
their state is seen and acted on through the helpdesk console."""

from django.contrib import admin

from urne.backoffice.admin_audit import AuditedAdmin

from .models import AccountPolicy


@admin.register(AccountPolicy)
class AccountPolicyAdmin(AuditedAdmin):
    list_display = ("election", "opening_link_hours", "reset_link_hours")
