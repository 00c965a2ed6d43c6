from django.apps import AppConfig


class DimensionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dimensions"
