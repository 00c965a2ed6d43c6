"""The API takes the same paths as the pages: change requests, tranches and the honest stage state."""

import pytest

from actionplans import services
from actionplans.models import ProgrammeStage, StimulusTranche

pytestmark = pytest.mark.django_db


def test_stage_dates_after_approval_go_through_a_change_request(api_client, users, approved_plan):
    stage = services.stages_initialise(village=approved_plan.village, year=2026, actor=users["regency"])[4]
    api_client.force_authenticate(users["pensosmas"])
    url = "/api/v1/programme-stages/{}/".format(stage.pk)
    refused = api_client.patch(url, {"planned_end": "2027-03-28"}, format="json")
    assert refused.status_code == 400
    assert "pengajuan perubahan jadwal" in refused.json()["planned_end"][0]
    created = api_client.post(url + "change-request/", {"planned_end": "2026-12-15", "reason": "Musim hujan"},
                              format="json")
    assert created.status_code == 201, created.json()
    change = created.json()
    assert (change["status"], change["new_planned_end"], change["old_planned_end"]) == ("pending", "2026-12-15", None)
    assert api_client.post("/api/v1/stage-change-requests/{}/approve/".format(change["id"]), {},
                           format="json").status_code == 403
    api_client.force_authenticate(users["analyst"])
    assert api_client.post(url + "change-request/", {}, format="json").status_code == 403
    api_client.force_authenticate(users["regency"])
    rejected = api_client.post("/api/v1/stage-change-requests/{}/reject/".format(change["id"]), {}, format="json")
    assert rejected.status_code == 400
    assert rejected.json() == {"note": ["Tuliskan alasan penolakan."]}
    approved = api_client.post("/api/v1/stage-change-requests/{}/approve/".format(change["id"]), {"note": "Setuju"},
                               format="json")
    assert approved.json()["status"] == "approved"
    assert ProgrammeStage.objects.get(pk=stage.pk).planned_end.isoformat() == "2026-12-15"
    body = api_client.get(url).json()
    assert (body["state"], body["days_late"], body["at_risk"]) == ("planned", 0, False)


def test_tranches_through_the_api(api_client, users, approved_plan):
    api_client.force_authenticate(users["pensosmas"])
    payload = {"village": "35.11.01.2001", "year": 2026, "number": 1, "planned_amount": "8000000",
               "planned_date": "2026-03-15"}
    assert api_client.post("/api/v1/stimulus-tranches/", payload, format="json").status_code == 403
    api_client.force_authenticate(users["regency"])
    created = api_client.post("/api/v1/stimulus-tranches/", payload, format="json")
    assert created.status_code == 201, created.json()
    assert api_client.post("/api/v1/stimulus-tranches/", payload, format="json").status_code == 201  # re-sent
    assert StimulusTranche.objects.count() == 1
    url = "/api/v1/stimulus-tranches/{}/".format(created.json()["id"])
    future = api_client.post(url + "receive/", {"amount": "8000000", "received_on": "2099-01-01",
                                                "reference": "BAST/001"}, format="json")
    assert future.status_code == 400
    assert future.json() == {"received_on": ["Tanggal diterima tidak boleh di masa depan."]}
    received = api_client.post(url + "receive/", {"amount": "8000000", "received_on": "2026-03-20",
                                                  "reference": "BAST/001"}, format="json")
    assert received.json()["state"] == "received"
    voided = api_client.post(url + "void/", {"reason": "Salah desa"}, format="json")
    assert (voided.json()["state"], voided.json()["void_reason"]) == ("void", "Salah desa")
    assert api_client.delete(url).status_code == 405
