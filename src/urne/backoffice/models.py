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
            ("administer", "Ouvrir l'administration Django (enregistrements bruts)"),
        ]

    def __str__(self) -> str:
        return "back office"


class StaffLoginFailure(models.Model):
    """Recent failed logins (wrong password or wrong second-factor code) under one staff
    login name (``urne.backoffice.staff_auth``). The name is kept only as an HMAC: a login
    name typed by mistake is sometimes a password. Counted whether or not the name exists,
    so the table tells nobody which names do."""

    key = models.CharField(max_length=64, unique=True)
    count = models.PositiveIntegerField(default=0)
    last_at = models.FloatField()  # time.time() of the last failure

    def __str__(self) -> str:
        return f"{self.count} failures"
