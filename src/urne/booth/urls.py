"""The booth's URLs (namespace ``booth``), mounted at ``vote/``: the pages (urls_pages) and
the cast endpoint, the receipt."""

from django.urls import include, path

app_name = "booth"

urlpatterns = [
    path("", include("urne.booth.urls_pages")),
]
