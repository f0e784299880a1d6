"""The booth pages (ADR 0303): code entry and the one-page booth, and the authority's code
check they call."""

from django.urls import path

from . import views_pages, views_reassort

urlpatterns = [
    path("", views_pages.entry, name="entry"),
    path("code/", views_pages.code_confirm, name="code_confirm"),
    # The 2022 réassort (seed 004).
    path("reassort/", views_reassort.choice, name="reassort"),
    path("reassort/franceconnect/", views_reassort.franceconnect, name="reassort_franceconnect"),
    path(
        "reassort/franceconnect/retour/",
        views_reassort.franceconnect_return,
        name="reassort_franceconnect_return",
    ),
    path("reassort/defi/", views_reassort.challenge, name="reassort_challenge"),
    path("reassort/lien/", views_reassort.link, name="reassort_link"),
    path("reassort/code/", views_reassort.code, name="reassort_code"),
]
