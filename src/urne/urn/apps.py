from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UrnConfig(AppConfig):
    name = "urne.urn"
    label = "urn"
    verbose_name = _("Urne")
