from django.apps import AppConfig


class PpksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ppks"
