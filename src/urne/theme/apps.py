from django.apps import AppConfig


class ThemeConfig(AppConfig):
    name = "urne.theme"
    label = "theme"
    verbose_name = "Thème"
