from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "urne.accounts"
    label = "accounts"
    verbose_name = "Comptes électeurs"
