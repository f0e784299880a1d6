"""The bureau's pages (namespace ``bureau``), under ``backoffice/bureau/``."""

from django.urls import URLPattern, URLResolver, path

from . import (
    archive_views,
    bureau_views,
    control_views,
    member_views,
    participation_views,
    seal_views,
)
from .ceremony_urls import urlpatterns as ceremony_urlpatterns

app_name = "bureau"

urlpatterns: list[URLPattern | URLResolver] = [
    *ceremony_urlpatterns,
    # the bureau's own pages (its members only)
    path("<int:election_id>/", bureau_views.home, name="home"),
    path("<int:election_id>/journal/", bureau_views.journal, name="journal"),
    path("<int:election_id>/cle-perdue/", bureau_views.key_loss, name="key_loss"),
    path("urnes/<str:scrutin_uuid>/archive.bel", archive_views.bureau_archive, name="archive"),
    # the manager's page of the members
    path(
        "elections/<int:election_id>/membres/", member_views.members_manage, name="members_manage"
    ),
    # the invitation a member opens from the e-mail (no account yet)
    path("invitation/", member_views.invitation, name="invitation"),
    path("invitation/mot-de-passe/", member_views.invitation_password, name="invitation_password"),
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
