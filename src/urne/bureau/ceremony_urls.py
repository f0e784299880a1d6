"""The key ceremony's pages, in the bureau's namespace (``bureau:ceremony…``)."""

from django.urls import path

from . import ceremony_views

urlpatterns = [
    path("<int:election_id>/ceremonie/", ceremony_views.ceremony_page, name="ceremony"),
    path(
        "<int:election_id>/ceremonie/ma-cle/",
        ceremony_views.ceremony_holder,
        name="ceremony_holder",
    ),
    path(
        "<int:election_id>/ceremonie/fichiers/<str:kind>",
        ceremony_views.ceremony_file,
        name="ceremony_file",
    ),
    path(
        "<int:election_id>/ceremonie/annuler/",
        ceremony_views.ceremony_cancel,
        name="ceremony_cancel",
    ),
    path(
        "<int:election_id>/ceremonie/proces-verbal.pdf",
        ceremony_views.ceremony_pv,
        name="ceremony_pv",
    ),
]
