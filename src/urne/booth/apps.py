from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BoothConfig(AppConfig):
    name = "urne.booth"
    label = "booth"
    verbose_name = _("Isoloir")

    def ready(self) -> None:
        from .reassort import sms_kinds_register

        sms_kinds_register()
