from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("edito/", views.edito, name="edito"),
    path("aide/", views.faq, name="faq"),
    path("tutoriels/<slug:slug>/", views.tutorial, name="tutorial"),
    path("assistance/", views.assistance, name="assistance"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("donnees-personnelles/", views.privacy, name="privacy"),
    path("profil/", views.profile, name="profile"),
    path("scrutins/", views.scrutins, name="scrutins"),
    path("scrutins/<str:uuid>/", views.scrutin, name="scrutin"),
    path(
        "scrutins/<str:uuid>/listes/<int:list_id>/profession-de-foi.pdf",
        views.profession_de_foi,
        name="profession_de_foi",
    ),
    path("listes-electorales/", views.rolls, name="rolls"),
    path("listes-electorales/<str:uuid>/", views.roll, name="roll"),
    path("reclamation/", views.complaint, name="complaint"),
    path("je-vote/", views.vote, name="vote"),
    path("nouvel-identifiant/", views.replacement, name="replacement"),
]
