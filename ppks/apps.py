from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PpksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ppks"
    verbose_name = _("Registrasi PPKS")

    def ready(self):
        from ppks import reference  # noqa: F401  (connects the signals that renew the held reference data)
