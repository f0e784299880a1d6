from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElectionsConfig(AppConfig):
    name = "urne.elections"
    verbose_name = _("Élections")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .collation import on_connection_created

        # SQLite learns the French collations on each connection (PostgreSQL: migration 0003).
        connection_created.connect(on_connection_created, dispatch_uid="urne_french_collations")
