from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """What an integrated system builds on: the event feed, webhooks, idempotent requests."""

    name = "integrations"
    default_auto_field = "django.db.models.BigAutoField"
