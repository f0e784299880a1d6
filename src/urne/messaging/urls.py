from django.urls import path

from . import views

app_name = "messaging"
urlpatterns = [
    path("elections/<int:election_id>/", views.campaigns, name="campaigns"),
    path("campagnes/<int:campaign_id>/", views.campaign, name="campaign"),
    path("campagnes/<int:campaign_id>/pilotage/", views.campaign_control, name="campaign_control"),
    path("boite/", views.mailbox, name="mailbox"),
]
