from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "urne.accounts"
    label = "accounts"
    verbose_name = "Comptes électeurs"

    def ready(self) -> None:
        from urne.messaging.registry import template_register

        from . import services

        template_register(
            services.TEMPLATE_OPENING, services.compose_opening, services.accounts_prepare
        )
        template_register(services.TEMPLATE_RESET, services.compose_reset)
