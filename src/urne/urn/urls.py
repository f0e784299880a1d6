"""The public ballot board (namespace ``urn``), mounted at ``bulletins/``."""

from django.urls import path

from . import views

app_name = "urn"

urlpatterns = [
    path("", views.board_index, name="board_index"),
    path("<str:scrutin_uuid>/", views.board, name="board"),
    path("<str:scrutin_uuid>/archive.bel", views.archive, name="archive"),
]
