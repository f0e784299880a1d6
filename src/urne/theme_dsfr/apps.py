from django.apps import AppConfig


class ThemeDsfrConfig(AppConfig):
    name = "urne.theme_dsfr"
    label = "theme_dsfr"
    verbose_name = "Thème DSFR"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the assets check
