import pytest
from django.db import transaction

from accounts.models import AuditEvent
from accounts.services import audit_record
from villages.models import Village

pytestmark = pytest.mark.django_db


def test_audit_record_stores_actor_object_and_detail(users):
    village = Village.objects.get(code="35.11.01.2001")
    event = audit_record(actor=users["regency"], action="villages.test", obj=village, detail={"x": 1})
    event.refresh_from_db()
    assert event.actor == users["regency"]
    assert (event.object_type, event.object_id, event.object_repr) == ("villages.village", "35.11.01.2001", "Sucolor")
    assert event.detail == {"x": 1}
    assert event.occurred_at is not None


def test_audit_event_rolls_back_with_the_action(users):
    before = AuditEvent.objects.count()

    def record_then_fail():
        with transaction.atomic():
            audit_record(actor=users["admin"], action="villages.test")
            raise RuntimeError("gagal")

    with pytest.raises(RuntimeError):
        record_then_fail()
    assert AuditEvent.objects.count() == before


def test_audit_events_are_read_only_in_admin(client, users):
    event = audit_record(actor=users["admin"], action="villages.test")
    client.force_login(users["admin"])
    users["admin"].is_superuser = True
    users["admin"].save()
    assert client.get("/admin/accounts/auditevent/").status_code == 200
    assert client.get("/admin/accounts/auditevent/add/").status_code == 403
    response = client.post("/admin/accounts/auditevent/{}/delete/".format(event.pk), {"post": "yes"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
