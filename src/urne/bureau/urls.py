"""The bureau's pages (namespace ``bureau``), under ``backoffice/bureau/``."""

from django.urls import URLPattern, URLResolver, path

from . import seal_views

app_name = "bureau"

urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:election_id>/scellement/", seal_views.seal_page, name="seal"),
    path("<int:election_id>/scellement/<int:seal_id>/pv.pdf", seal_views.seal_pv, name="seal_pv"),
    path(
        "<int:election_id>/scellement/<int:seal_id>/export.zip",
        seal_views.seal_export,
        name="seal_export",
    ),
    path(
        "<int:election_id>/scellement/<int:seal_id>/manifest.json",
        seal_views.seal_manifest_json,
        name="seal_manifest",
    ),
]
