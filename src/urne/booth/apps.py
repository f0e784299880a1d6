from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BoothConfig(AppConfig):
    name = "urne.booth"
    label = "booth"
    verbose_name = _("Isoloir")

    def ready(self) -> None:
        from urne.messaging.registry import template_register

        from . import services
        from .reassort import sms_kinds_register

        sms_kinds_register()
        template_register(services.TEMPLATE_RECEIPT, services.receipt_compose, campaign=False)
