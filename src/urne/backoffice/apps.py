from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    name = "urne.backoffice"
    verbose_name = _("Back office")

    def ready(self) -> None:
        from .roles import roles_install_on_migrate

        # After auth has created the permissions of every app (it connects first).
        post_migrate.connect(roles_install_on_migrate, sender=self)
