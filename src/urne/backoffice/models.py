from django.db import models


class Backoffice(models.Model):
    """Holds the back office's permissions (no table): roles are groups of these."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_election", "Consulter la configuration d'une élection"),
            ("manage_election", "Configurer une élection (électeurs, règles, listes…)"),
            ("find_voter", "Rechercher un électeur et voir son état"),
            ("view_audit", "Consulter le journal d'audit"),
            ("bureau_pages", "Pages du bureau de vote électronique"),
        ]

    def __str__(self) -> str:
        return "back office"
