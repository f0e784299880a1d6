"""The booth pages (ADR 0303): code entry and the one-page booth, and the authority's code
check they call."""

from django.urls import path

from . import views_pages

urlpatterns = [
    path("", views_pages.entry, name="entry"),
    path("code/", views_pages.code_confirm, name="code_confirm"),
]
