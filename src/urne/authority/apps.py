from django.apps import AppConfig


class AuthorityConfig(AppConfig):
    """The credential authority (its own store, "authority"): vote codes, notices,
    replacements and the public credential lists handed to the urn."""

    name = "urne.authority"
    label = "authority"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the key check)
