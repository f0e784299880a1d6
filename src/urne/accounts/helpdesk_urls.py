from django.urls import path

from urne.portal import helpdesk as portal_helpdesk

from . import helpdesk

app_name = "helpdesk"
urlpatterns = [
    path("electeurs/<int:voter_id>/compte/", helpdesk.voter_account, name="voter_account"),
    path(
        "electeurs/<int:voter_id>/identifiant/",
        portal_helpdesk.reserve_send,
        name="voter_reserve",
    ),
    path(
        "elections/<int:election_id>/demandes/",
        portal_helpdesk.assistance_requests,
        name="assistance_requests",
    ),
    path(
        "demandes/<int:request_id>/", portal_helpdesk.assistance_request, name="assistance_request"
    ),
]
