import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from actionplans import services
from tests.actionplans.conftest import receive_tranche
from villages.models import LokusYear, Village

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("user_key", "visible"),
    [("analyst", True), ("province", True), ("regency", True), ("pensosmas", True), ("other_regency", False)],
)
def test_plans_are_scoped_in_pages_and_api(client, api_client, users, approved_plan, user_key, visible):
    client.force_login(users[user_key])
    listed = [plan.pk for plan in client.get(reverse("actionplans:list")).context["page"]]
    assert listed == ([approved_plan.pk] if visible else [])
    assert client.get(approved_plan.get_absolute_url()).status_code == (200 if visible else 404)
    api_client.force_authenticate(users[user_key])
    rows = api_client.get("/api/v1/action-plans/").json()["results"]
    assert [row["id"] for row in rows] == ([approved_plan.pk] if visible else [])


def test_plan_page_shows_activities_balance_and_proposals(client, users, plan):
    client.force_login(users["pensosmas"])
    content = client.get(plan.get_absolute_url()).content.decode()
    assert "Usulan dari indikator terlemah" in content
    assert "3.1" in content


def test_activity_form_and_spending_form(client, users, approved_plan):
    receive_tranche(approved_plan, users["regency"], amount=1_000_000)
    client.force_login(users["pensosmas"])
    activity = approved_plan.activities.get()
    response = client.post(approved_plan.get_absolute_url(), {
        "form": "spending", "activity": activity.pk, "amount": "2000000", "spent_on": "2026-03-01",
        "description": "Sewa tempat"})
    assert response.status_code == 200
    assert "Saldo stimulan tidak cukup" in response.content.decode()
    response = client.post(approved_plan.get_absolute_url(), {
        "form": "spending", "activity": activity.pk, "amount": "500000", "spent_on": "2026-03-01",
        "description": "Sewa tempat"})
    assert response.status_code == 302


def test_village_hub_creates_stages_and_the_dashboard_counts_them(client, users, approved_plan):
    village = Village.objects.get(code="35.11.01.2001")
    LokusYear.objects.create(village=village, year=2026)
    client.force_login(users["regency"])
    url = reverse("actionplans:village", args=[village.code])
    client.post(url + "?year=2026", {"form": "stages"})
    stage = village.programme_stages.get(stage="penjajagan")
    # The plan is approved: a typed-in planned date is ignored (the field is locked) ...
    client.post(reverse("actionplans:stage-update", args=[stage.pk]), {
        "stage-{}-planned_end".format(stage.pk): "2026-01-31"})
    stage.refresh_from_db()
    assert stage.planned_end is None
    # ... it becomes a change request, which another Dinas Sosial officer approves.
    client.force_login(users["pensosmas"])
    response = client.post(reverse("actionplans:stage-change", args=[stage.pk]), {
        "change-{}-planned_end".format(stage.pk): "2026-01-31",
        "change-{}-reason".format(stage.pk): "Jadwal awal belum diisi"}, follow=True)
    assert "dikirim ke Dinas Sosial" in response.content.decode()
    change = stage.change_requests.get()
    client.force_login(users["regency"])
    client.post(reverse("actionplans:stage-change-decide", args=[change.pk, "approve"]), {})
    stage.refresh_from_db()
    assert stage.planned_end == datetime.date(2026, 1, 31)
    response = client.get(reverse("actionplans:dashboard"), {"year": 2026})
    data = response.context["data"]
    assert data["villages"] == 1
    assert [(late.stage, late.state, late.stage_label) for late in response.context["late"]] == [
        ("penjajagan", "overdue", "Penjajagan lokasi")]
    assert (data["overdue"], data["at_risk"]) == (1, 6)  # every later unfinished stage is at risk
    assert data["budget"] == Decimal(5000000)
    client.force_login(users["other_regency"])
    assert client.get(reverse("actionplans:dashboard"), {"year": 2026}).context["data"]["villages"] == 0
    assert client.get(url).status_code == 404


def test_stage_api_patch_and_monitoring_api(api_client, users):
    village = Village.objects.get(code="35.11.01.2001")
    stages = services.stages_initialise(village=village, year=2026, actor=users["regency"])
    api_client.force_authenticate(users["pensosmas"])
    response = api_client.patch("/api/v1/programme-stages/{}/".format(stages[0].pk),
                                {"planned_start": "2026-02-01", "planned_end": "2026-01-01"}, format="json")
    assert response.status_code == 400
    response = api_client.patch("/api/v1/programme-stages/{}/".format(stages[0].pk),
                                {"actual_end": "2026-01-20"}, format="json")
    assert response.json()["actual_end"] == "2026-01-20"
    assert (response.json()["state"], response.json()["effective_actual_start"]) == ("done", "2026-01-20")
    created = api_client.post("/api/v1/monitoring-visits/", {"village": "35.11.01.2001", "visited_on": "2026-04-01",
                                                             "findings": "Rapat Pokja rutin"}, format="json")
    assert created.status_code == 201, created.json()
    api_client.force_authenticate(users["other_regency"])
    assert api_client.get("/api/v1/monitoring-visits/").json()["results"] == []
    outside = api_client.post("/api/v1/monitoring-visits/", {"village": "35.11.01.2001", "visited_on": "2026-04-01",
                                                             "findings": "x"}, format="json")
    assert outside.status_code == 403
