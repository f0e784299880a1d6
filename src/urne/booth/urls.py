"""The booth's URLs (namespace ``booth``), mounted at ``vote/``: the pages (urls_pages) and
the cast endpoint, the receipt."""

from django.urls import include, path

from . import views

app_name = "booth"

urlpatterns = [
    path("bulletin/", views.cast, name="cast"),
    path("recu/<str:scrutin_uuid>/", views.receipt, name="receipt"),
    path("", include("urne.booth.urls_pages")),
]
