from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BureauConfig(AppConfig):
    name = "urne.bureau"
    label = "bureau"
    verbose_name = _("Bureau de vote électronique")
