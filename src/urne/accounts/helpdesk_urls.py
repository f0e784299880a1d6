from django.urls import path

from . import helpdesk

app_name = "helpdesk"
urlpatterns = [
    path("electeurs/<int:voter_id>/compte/", helpdesk.voter_account, name="voter_account"),
]
