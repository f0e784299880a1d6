from django.urls import path

from . import views, views_results

app_name = "count"
urlpatterns = [
    path("backoffice/depouillement/<int:election_id>/", views.count_page, name="page"),
    # The public results (ADR 0803): the election's first, before the per-scrutin patterns
    # (a scrutin's uuid never has the 8 letters of "national").
    path("resultats/", views_results.results_index, name="results"),
    path("resultats/national.json", views_results.national_json, name="national_json"),
    path("resultats/national.csv", views_results.national_csv, name="national_csv"),
    path("resultats/proces-verbal-national.pdf", views_results.national_pv, name="national_pv"),
    path("resultats/<str:scrutin_uuid>/", views_results.result_page, name="result_page"),
    path(
        "resultats/<str:scrutin_uuid>/proces-verbal.pdf",
        views_results.result_pv,
        name="result_pv",
    ),
    path("resultats/<str:scrutin_uuid>.json", views.result_json, name="result_json"),
    path("resultats/<str:scrutin_uuid>.csv", views.result_csv, name="result_csv"),
]
