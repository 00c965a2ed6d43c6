"""The audit log page for administrators, its CSV export, and the append-only audit trail."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, AuditEventImmutableError
from accounts.services import audit_record
from villages.models import Village

pytestmark = pytest.mark.django_db


def audit_record_at(when: datetime.datetime, *, actor, action: str, obj) -> AuditEvent:
    """Test set-up only: an event written at ``when`` (the trail refuses changes, so it is inserted as of then)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_auditevent (actor_id, action, object_type, object_id, object_repr, occurred_at, "
            "detail) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [actor.pk, action, obj._meta.label_lower, str(obj.pk), str(obj)[:200], when, "{}"])
    return AuditEvent.objects.filter(action=action, object_id=str(obj.pk)).latest("pk")


@pytest.fixture
def trail(users):
    village = Village.objects.get(code="35.11.01.2001")
    return {
        "verify": audit_record(actor=users["regency"], action="ppks.registration.verify", obj=village),
        "export": audit_record(actor=users["province"], action="ppks.registration.export",
                               detail={"rows": 3, "note": "=HYPERLINK(\"http://x\")"}),
        "login": audit_record(actor=users["pensosmas"], action="accounts.login", obj=users["pensosmas"]),
        "old": audit_record_at(timezone.make_aware(datetime.datetime(2026, 1, 15, 10, 0)), actor=users["admin"],
                               action="villages.profile.update", obj=village),
    }


def shown(client, **params) -> list[str]:
    response = client.get(reverse("audit:list"), params)
    assert response.status_code == 200
    return [event.action for event in response.context["page"]]


def test_only_administrators_see_the_audit_log(client, users):
    assert client.get(reverse("audit:list")).status_code == 302
    for key in ("analyst", "province", "regency", "pensosmas"):
        client.force_login(users[key])
        assert client.get(reverse("audit:list")).status_code == 403, key
        assert client.get(reverse("audit:export")).status_code == 403, key
    client.force_login(users["admin"])
    assert client.get(reverse("audit:list")).status_code == 200


def test_menu_entry_for_administrators_only(client, users):
    client.force_login(users["admin"])
    assert "audit:list" in [item["url_name"] for item in client.get("/").context["menu"]]
    client.force_login(users["province"])
    assert "audit:list" not in [item["url_name"] for item in client.get("/").context["menu"]]


def test_newest_first_and_filters(client, users, trail):
    client.force_login(users["admin"])
    # index 0: the administrator's own sign-in just now; the region import of the fixture is older,
    # the backdated event the oldest
    listed = shown(client)
    assert listed[1:4] == ["accounts.login", "ppks.registration.export", "ppks.registration.verify"]
    assert listed[-1] == "villages.profile.update"
    assert shown(client, actor="JATIM") == ["ppks.registration.export"]
    assert set(shown(client, action="ppks")) == {"ppks.registration.export", "ppks.registration.verify"}
    assert shown(client, action="ppks.registration.verify") == ["ppks.registration.verify"]
    assert shown(client, object_type="villages.village", object_id="35.11.01.2001") == [
        "ppks.registration.verify", "villages.profile.update"]
    assert shown(client, date_to="2026-01-31") == ["villages.profile.update"]
    assert "villages.profile.update" not in shown(client, date_from="2026-02-01")
    assert shown(client, q="sucolor") == ["ppks.registration.verify", "villages.profile.update"]


def test_bad_filters_get_an_indonesian_message(client, users, trail):
    client.force_login(users["admin"])
    response = client.get(reverse("audit:list"), {"date_from": "2026-03-01", "date_to": "2026-02-01"})
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    assert "Tanggal akhir tidak boleh sebelum tanggal awal." in response.content.decode()


def test_pages_without_counting_the_table(client, users):
    AuditEvent.objects.bulk_create([AuditEvent(action="uji.{}".format(index)) for index in range(120)])
    client.force_login(users["admin"])
    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("audit:list"), {"action": "uji"})
    assert not [query for query in queries.captured_queries if "COUNT(" in query["sql"].upper()
                and "accounts_auditevent" in query["sql"]]
    page = first.context["page"]
    assert (len(page), page.has_next, page.has_previous) == (50, True, False)
    assert "page=2" in first.content.decode()
    last = client.get(reverse("audit:list"), {"action": "uji", "page": 3}).context["page"]
    assert (len(last), last.has_next, last.has_previous) == (20, False, True)
    assert len(client.get(reverse("audit:list"), {"page": "bukan-angka"}).context["page"]) == 50


def test_csv_export_of_the_filtered_rows_is_itself_audited(client, users, trail):
    client.force_login(users["admin"])
    response = client.get(reverse("audit:export"), {"action": "ppks"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="log-audit-')
    assert response["Cache-Control"] == "no-store"
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["waktu", "pelaku", "tindakan", "jenis_objek", "id_objek", "objek", "alamat_ip", "rincian"]
    assert [row[2] for row in rows[1:]] == ["ppks.registration.export", "ppks.registration.verify"]
    assert rows[1][1] == "jatim"
    assert rows[1][7].startswith('{"note": "=HYPERLINK')  # JSON text, not a formula cell
    event = AuditEvent.objects.get(action="accounts.audit.export")
    assert event.actor == users["admin"]
    assert event.detail == {"filters": {"action": "ppks"}}


def test_formula_cells_are_neutralised(client, users):
    audit_record(actor=users["admin"], action="=cmd|' /C calc'!A0")
    client.force_login(users["admin"])
    body = b"".join(client.get(reverse("audit:export"), {"q": "cmd"}).streaming_content).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(body)))[1][2] == "'=cmd|' /C calc'!A0"


def test_audit_events_cannot_be_changed_or_deleted(users, trail):
    event = trail["verify"]
    before = AuditEvent.objects.count()
    event.action = "ppks.registration.reject"
    with pytest.raises(AuditEventImmutableError):
        event.save()
    with pytest.raises(AuditEventImmutableError):
        event.delete()
    with pytest.raises(AuditEventImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AuditEventImmutableError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditEventImmutableError):
        AuditEvent.objects.bulk_update([event], ["action"])
    assert AuditEvent.objects.get(pk=event.pk).action == "ppks.registration.verify"
    assert AuditEvent.objects.count() == before


def test_the_action_filter_offers_actions_by_name_grouped_by_area(client, users, trail):
    """People see names, never internal codes: the filter is a list of named actions, not a code to type."""
    client.force_login(users["admin"])
    response = client.get(reverse("audit:list"), {"action": "ppks.registration.verify"})
    body = response.content.decode()
    assert '<select name="action"' in body
    assert '<optgroup label="PPKS">' in body
    assert '<option value="ppks" >Semua tindakan: PPKS</option>'.replace(" >", ">") in body.replace(" >", ">")
    assert '<option value="ppks.registration.verify" selected>Registrasi diverifikasi</option>' in body
    assert [event.action for event in response.context["page"]] == ["ppks.registration.verify"]
    typed = client.get(reverse("audit:list"), {"action": "villages.profile"}).content.decode()
    assert '<option value="villages.profile" selected>villages.profile</option>' in typed


def test_the_object_type_filter_offers_kinds_of_records_by_name(client, users, trail):
    client.force_login(users["admin"])
    response = client.get(reverse("audit:list"), {"object_type": "villages.village"})
    body = response.content.decode()
    assert '<option value="villages.village" selected>Desa/kelurahan</option>' in body
    assert '<option value="ppks.registration">Registrasi PPKS</option>' in body
    assert {event.action for event in response.context["page"]} == {"ppks.registration.verify",
                                                                     "villages.profile.update"}
