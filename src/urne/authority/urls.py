from django.urls import path

from . import views

app_name = "authority"
urlpatterns = [
    path("elections/<int:election_id>/codes/", views.codes, name="codes"),
    path("elections/<int:election_id>/notices/<int:number>.pdf", views.notices, name="notices"),
    path("voters/<int:voter_id>/code/", views.replace, name="replace"),
]
