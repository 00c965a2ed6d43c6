from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionplansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "actionplans"
    verbose_name = _("Rencana aksi Pokja Tansosmas")

    def ready(self):
        from actionplans.lifecycle import annotate_phases
        from villages.programme import register_phase_annotator

        register_phase_annotator(annotate_phases)
