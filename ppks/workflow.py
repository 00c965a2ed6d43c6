"""The registration workflow as data: which action moves which status to which, and who may do it.

These are the steps before a referral. From "terverifikasi" on, the status follows the registration's
referrals (``ppks.referral_services``): a referral letter makes it "dirujuk", the receiving unit's
recorded service "dilayani", its closing "selesai", and a decline by every unit "terverifikasi" again.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ppks.models import Registration
from ppks.permissions import REGISTERING_ROLES, STAFF_ROLES

Status = Registration.Status


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    needs_note: bool = False
    done: str = ""  # the message after the step, naming the registration: "{registration} ..."

    def done_message(self, registration) -> str:
        """``Registrasi Siti Aminah (FM) diverifikasi.``: the record by name, then what happened."""
        return str(self.done).format(registration=registration.notification_label)


TRANSITIONS = {
    transition.action: transition
    for transition in (
        Transition("submit", _("Ajukan"), frozenset({Status.DRAFT}), Status.SUBMITTED, REGISTERING_ROLES,
                   done=_("Registrasi {registration} diajukan untuk verifikasi.")),
        Transition("verify", _("Verifikasi"), frozenset({Status.SUBMITTED}), Status.VERIFIED, STAFF_ROLES,
                   done=_("Registrasi {registration} diverifikasi.")),
        Transition("reject", _("Tolak"), frozenset({Status.SUBMITTED}), Status.REJECTED, STAFF_ROLES, True,
                   done=_("Registrasi {registration} ditolak.")),
        Transition("reopen", _("Perbaiki (kembali ke draf)"), frozenset({Status.REJECTED}), Status.DRAFT,
                   REGISTERING_ROLES, done=_("Registrasi {registration} dikembalikan ke draf untuk diperbaiki.")),
    )
}

TIMESTAMP_FIELDS = {
    Status.SUBMITTED: "submitted_at",
    Status.VERIFIED: "verified_at",
    Status.REFERRED: "referred_at",
    Status.SERVED: "served_at",
    Status.CLOSED: "closed_at",
}


def available_actions(registration: Registration, role: str) -> list[Transition]:
    """The transitions ``role`` may apply to ``registration`` in its current status."""
    return [
        transition
        for transition in TRANSITIONS.values()
        if registration.status in transition.sources and role in transition.roles
    ]
