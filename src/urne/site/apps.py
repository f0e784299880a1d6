from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "urne.site"
    label = "urne_site"
    verbose_name = "Urne"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the system checks
