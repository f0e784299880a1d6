from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    name = "urne.backoffice"
    verbose_name = _("Back office")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .roles import roles_install_on_migrate
        from .staff_auth import staff_session_stamp

        # After auth has created the permissions of every app (it connects first).
        post_migrate.connect(roles_install_on_migrate, sender=self)
        # Every staff login, the back office's or a test's force_login, starts the clocks.
        user_logged_in.connect(staff_session_stamp, dispatch_uid="urne.staff_session_stamp")
