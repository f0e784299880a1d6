"""The bureau's pages (namespace ``bureau``), under ``backoffice/bureau/``."""

from django.urls import URLPattern, URLResolver, path

from . import control_views, participation_views

app_name = "bureau"

urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:election_id>/controle/", control_views.control_page, name="control"),
    path(
        "<int:election_id>/participation/",
        participation_views.participation_page,
        name="participation",
    ),
    path(
        "scrutin/<int:scrutin_id>/participation/",
        participation_views.participation_scrutin,
        name="participation_scrutin",
    ),
    path(
        "scrutin/<int:scrutin_id>/emargements.csv",
        participation_views.emargements_csv,
        name="emargements_csv",
    ),
]
