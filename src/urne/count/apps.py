from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CountConfig(AppConfig):
    name = "urne.count"
    label = "count"
    verbose_name = _("Dépouillement")
