from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "urne.messaging"
    label = "messaging"
    verbose_name = "Messagerie"
