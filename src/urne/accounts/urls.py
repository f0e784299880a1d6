from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.login, name="login"),
    path("connexion/mot-de-passe/", views.login_password, name="login_password"),
    path("deconnexion/", views.logout, name="logout"),
    path("ouverture/", views.opening, name="opening_form"),
    # The e-mailed links: the token in the fragment (#…), never in a path (ADR 0532).
    path("ouverture/lien/", views.opening_link, name="opening"),
    path("activation/", views.activation, name="activation"),
    path("mot-de-passe-oublie/", views.reset_request, name="reset_request"),
    path("mot-de-passe/nouveau/", views.reset, name="reset_form"),
    path("mot-de-passe/lien/", views.reset_link, name="reset"),
    path("captcha/<str:token>/image.png", views.captcha_image, name="captcha_image"),
    path("captcha/<str:token>/audio.wav", views.captcha_audio, name="captcha_audio"),
]
