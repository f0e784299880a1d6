from django.contrib.auth.views import LogoutView
from django.urls import path

from . import auth_views, views

app_name = "backoffice"
urlpatterns = [
    path("login/", auth_views.login, name="login"),
    path("login/code/", auth_views.otp, name="otp"),
    path("login/enrolement/", auth_views.otp_enrol, name="otp_enrol"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("elections/<int:election_id>/", views.election_detail, name="election"),
    path("elections/<int:election_id>/modifier/", views.election_edit, name="election_edit"),
    path("elections/<int:election_id>/scrutins/", views.scrutins_create, name="scrutins_create"),
    path("elections/<int:election_id>/import/", views.voter_import, name="import"),
    path("imports/<int:job_id>/", views.import_progress, name="import_progress"),
    path("imports/<int:job_id>/errors.csv", views.import_errors, name="import_errors"),
    path("elections/<int:election_id>/rules/", views.rules, name="rules"),
    path("elections/<int:election_id>/rolls/", views.rolls, name="rolls"),
    path("scrutins/<int:scrutin_id>/roll/", views.roll, name="roll"),
    path("elections/<int:election_id>/lists/", views.list_checks, name="list_checks"),
    path("elections/<int:election_id>/unions/", views.unions, name="unions"),
    path("elections/<int:election_id>/lists/new/", views.list_add, name="list_add"),
    path("lists/<int:list_id>/", views.candidate_list, name="candidate_list"),
    path("lists/<int:list_id>/edit/", views.list_edit, name="list_edit"),
    path(
        "lists/<int:list_id>/profession-de-foi.pdf",
        views.profession_de_foi,
        name="profession_de_foi",
    ),
    path("elections/<int:election_id>/complaints/", views.complaints, name="complaints"),
    path("complaints/<int:complaint_id>/", views.complaint, name="complaint"),
    path("elections/<int:election_id>/voters/", views.voter_find, name="voter_find"),
    path("voters/<int:voter_id>/", views.voter_detail, name="voter"),
    path("audit/", views.audit_log, name="audit"),
]
