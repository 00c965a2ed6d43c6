from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionplansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "actionplans"
    verbose_name = _("Rencana aksi Pokja Tansosmas")

    def ready(self):
        from actionplans.lifecycle import filter_by_phase, phases_for
        from villages.programme import register_phases

        register_phases(phases_for, filter_by_phase)
