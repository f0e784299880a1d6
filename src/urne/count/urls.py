from django.urls import path

from . import views

app_name = "count"
urlpatterns = [
    path("backoffice/depouillement/<int:election_id>/", views.count_page, name="page"),
    path("resultats/<str:scrutin_uuid>.json", views.result_json, name="result_json"),
    path("resultats/<str:scrutin_uuid>.csv", views.result_csv, name="result_csv"),
]
