"""The bureau's pages of the urn (namespace ``bureau_urn``), under ``backoffice/urnes/``."""

from django.urls import path

from . import bureau

app_name = "bureau_urn"

urlpatterns = [
    path("<str:scrutin_uuid>/archive.bel", bureau.bureau_archive, name="archive"),
]
