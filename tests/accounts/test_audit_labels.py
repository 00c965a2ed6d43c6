"""Audit actions are shown by Indonesian names, their code in grey after it (issue 16)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.audit_labels import ACTION_LABELS, action_label
from accounts.services import audit_record
from actionplans.models import TrancheRevision
from ppks.models import ReferralEvent
from ppks.workflow import TRANSITIONS

APPS = ("accounts", "actionplans", "config", "dimensions", "maps", "ppks", "reports", "villages")
LITERAL = re.compile(r"""action=["']([a-z_]+(?:\.[a-z_]+)+)["']""")
FORMATTED = {
    "ppks.registration.{}": TRANSITIONS,
    "ppks.referral.{}": ReferralEvent.Action.values,
    "actionplans.stimulus.{}": TrancheRevision.Action.values,
}


def recorded_actions() -> set[str]:
    """Every action string the sources pass to the audit trail, formatted ones expanded."""
    found = set()
    for app in APPS:
        for path in Path(settings.BASE_DIR, app).rglob("*.py"):
            text = path.read_text()
            found.update(LITERAL.findall(text))
            for pattern, values in FORMATTED.items():
                if '"{}"'.format(pattern) in text:
                    found.update(pattern.format(value) for value in values)
    return found


def test_every_recorded_action_has_an_indonesian_label():
    actions = recorded_actions()
    assert "ppks.registration.verify" in actions  # the scan finds formatted actions too
    assert len(actions) > 60
    assert sorted(actions - set(ACTION_LABELS)) == []


def test_unknown_action_falls_back_to_its_code():
    assert action_label("ppks.registration.verify") == "Registrasi diverifikasi"
    assert action_label("lain.tindakan") == "lain.tindakan"


@pytest.mark.django_db
def test_audit_page_shows_the_label_with_the_code_in_grey(client, users):
    audit_record(actor=users["regency"], action="ppks.registration.verify")
    client.force_login(users["admin"])
    body = client.get(reverse("audit:list")).content.decode()
    assert "Registrasi diverifikasi<br><small class=\"muted code\">ppks.registration.verify</small>" in body
