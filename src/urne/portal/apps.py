from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def helpdesk_grant(using: str = "default", **kwargs: Any) -> None:
    """The helpdesk and managers may see (and close) assistance requests: the model's
    permissions, kept for the admin's administrator; their own pages ask ``FIND_VOTER``
    (``portal.helpdesk``).

    Runs after the back office has installed its roles (this app comes later in
    INSTALLED_APPS, so its post_migrate handler runs later)."""
    if using != "default":
        return
    from django.contrib.auth.models import Group, Permission

    perms = list(
        Permission.objects.filter(
            content_type__app_label="portal",
            codename__in=["view_assistancerequest", "change_assistancerequest"],
        )
    )
    for group in Group.objects.filter(name__in=["helpdesk", "manager", "administrator"]):
        group.permissions.add(*perms)


class PortalConfig(AppConfig):
    name = "urne.portal"
    label = "portal"
    verbose_name = "Portail électeur"

    def ready(self) -> None:
        from urne.elections.services import TEMPLATE_COMPLAINT_DECISION
        from urne.messaging.registry import sms_kind_register, template_register

        from . import answers, replacement

        post_migrate.connect(helpdesk_grant, sender=self, dispatch_uid="portal_helpdesk_grant")
        sms_kind_register(replacement.SMS_KIND, replacement.compose_sms)
        template_register(
            replacement.TEMPLATE_CONFIRMATION, replacement.compose_confirmation, campaign=False
        )
        template_register(
            answers.TEMPLATE_ASSISTANCE_ANSWER, answers.compose_assistance_answer, campaign=False
        )
        template_register(
            TEMPLATE_COMPLAINT_DECISION, answers.compose_complaint_decision, campaign=False
        )
