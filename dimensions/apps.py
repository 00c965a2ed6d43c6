from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DimensionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dimensions"
    verbose_name = _("Dimensi ketahanan sosial")
