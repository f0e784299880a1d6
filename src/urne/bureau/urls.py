"""The bureau's pages (namespace ``bureau``), under ``backoffice/bureau/``."""

from django.urls import URLPattern, URLResolver

app_name = "bureau"

urlpatterns: list[URLPattern | URLResolver] = []
