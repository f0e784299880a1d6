"""The bureau's pages (namespace ``bureau``), under ``backoffice/bureau/``."""

from django.urls import URLPattern, URLResolver

from .ceremony_urls import urlpatterns as ceremony_urlpatterns

app_name = "bureau"

urlpatterns: list[URLPattern | URLResolver] = [*ceremony_urlpatterns]
