"""The DBS phase is derived from records (one rule, every page), and an override needs a reason and is audited."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import AuditEvent
from actionplans import lifecycle, services
from actionplans.lifecycle import phases_for
from actionplans.models import PhaseOverride
from dimensions import services as dimension_services
from tests.actionplans.conftest import activity_data, moment
from tests.dimensions.conftest import example_answers
from villages.models import LokusYear, ProgrammePhase, Village

pytestmark = pytest.mark.django_db
SUCOLOR = "35.11.01.2001"


def phase(code: str = SUCOLOR) -> str | None:
    return phases_for([code])[code].effective


def endline(make_assessment, users, *, high: bool, year: int = 2026):
    """A validated endline: every answer 5 (index 1, tinggi) or the hand-checked example (0.4125, rendah)."""
    assessment = make_assessment(phase="endline", year=year, answered=not high, submit=not high)
    if high:
        dimension_services.answers_replace(assessment=assessment, actor=users["pensosmas"], rows=[
            {"name": "Ibu Siti", "institution": "PKK", "answers": dict.fromkeys(example_answers("r1"), 5)}])
        assessment = dimension_services.assessment_submit(assessment=assessment, actor=users["pensosmas"])
    return dimension_services.assessment_validate(assessment=assessment, actor=users["regency"])


def test_phase_follows_the_records_through_the_cycle(users, make_assessment):
    village = Village.objects.get(code=SUCOLOR)
    assert phase() is None  # not in the programme
    LokusYear.objects.create(village=village, year=2026)
    assert phase() == ProgrammePhase.SITE_APPRAISAL
    baseline = make_assessment(submit=True, submitted_at=moment(2026, 1, 10))
    assert phase() == ProgrammePhase.LOOK  # collected, not validated
    dimension_services.assessment_validate(assessment=baseline, actor=users["regency"], at=moment(2026, 1, 15))
    assert phase() == ProgrammePhase.THINK
    plan = services.plan_create(village=village, year=2026, actor=users["pensosmas"])
    services.activity_save(plan=plan, actor=users["pensosmas"], data=activity_data(plan))
    services.plan_submit(plan=plan, actor=users["pensosmas"])
    assert phase() == ProgrammePhase.THINK  # a plan waiting for approval is still Think
    plan = services.plan_review(plan=plan, actor=users["regency"], approve=True, at=moment(2026, 2, 1))
    assert phase() == ProgrammePhase.ACT
    stages = services.stages_initialise(village=village, year=2026, actor=users["regency"])
    services.stage_update(stage=stages[5], actor=users["regency"], data={"actual_start": datetime.date(2026, 10, 1)})
    assert phase() == ProgrammePhase.EVALUATION  # the monitoring stage began
    low = endline(make_assessment, users, high=False)
    services.evaluation_save(plan=plan, actor=users["regency"], endline=low, findings="Belum naik")
    assert phase() == ProgrammePhase.EVALUATION  # evaluated, but rendah: not mandiri
    services.evaluation_save(plan=plan, actor=users["regency"], findings="Naik ke tinggi pada endline berikutnya",
                             endline=endline(make_assessment, users, high=True, year=2027))
    assert phase() == ProgrammePhase.GRADUATED
    # A new cycle: next year's baseline being collected puts the village back in Look.
    make_assessment(year=2027)
    assert phase() == ProgrammePhase.LOOK
    info = lifecycle.phase_of(SUCOLOR)
    assert info.derived == ProgrammePhase.LOOK
    assert "Asesmen baseline 2027 sedang berjalan (belum divalidasi)." in info.evidence


def test_mandiri_needs_the_configured_band(users, make_assessment, settings, approved_plan):
    services.evaluation_save(plan=approved_plan, actor=users["regency"],
                             endline=endline(make_assessment, users, high=False), findings="x")
    assert phase() == ProgrammePhase.EVALUATION
    settings.SIDBS_MANDIRI_MIN_BAND = "rendah"  # a configuration may lower the bar (here to every band)
    assert lifecycle.mandiri_bands() == ["rendah", "sedang", "tinggi"]
    assert phase() == ProgrammePhase.GRADUATED
    settings.SIDBS_MANDIRI_MIN_BAND = "nonsense"  # an unknown value falls back to tinggi
    assert phase() == ProgrammePhase.EVALUATION


def test_override_needs_a_reason_is_audited_shown_and_cannot_make_a_rendah_village_mandiri(
        client, api_client, users, approved_plan):
    village = approved_plan.village
    assert phase() == ProgrammePhase.ACT
    with pytest.raises(ValidationError) as error:
        services.phase_override_set(village=village, actor=users["regency"], phase="mandiri",
                                    reason="Dinilai sudah mandiri oleh camat")
    assert error.value.message_dict == {"phase": [
        "Mandiri butuh asesmen tervalidasi berkategori tinggi; asesmen tervalidasi terakhir desa ini: rendah."]}
    with pytest.raises(ValidationError):
        services.phase_override_set(village=village, actor=users["regency"], phase="evaluasi", reason="singkat")
    with pytest.raises(PermissionDenied):
        services.phase_override_set(village=village, actor=users["pensosmas"], phase="evaluasi",
                                    reason="Pensosmas tidak boleh mengoreksi")
    with pytest.raises(ValidationError) as error:
        services.phase_override_set(village=village, actor=users["regency"], phase="act",
                                    reason="Sama dengan catatan desa")
    assert "koreksi tidak diperlukan" in error.value.messages[0]
    override = services.phase_override_set(village=village, actor=users["regency"], phase="evaluasi",
                                           reason="Monitoring lapangan sudah berjalan, tahap belum dicatat")
    assert services.phase_override_set(village=village, actor=users["regency"], phase="evaluasi",
                                       reason=override.reason) == override  # sent twice: one override
    assert phase() == ProgrammePhase.EVALUATION
    found = phases_for([SUCOLOR])[SUCOLOR]
    assert (found.derived, found.override) == ("act", "evaluasi")
    event = AuditEvent.objects.get(action="actionplans.phase.override")
    assert event.detail["derived"] == "act"
    # Shown as an override on the village page, the hub and in the API.
    client.force_login(users["analyst"])
    page = client.get(reverse("villages:village-detail", args=[SUCOLOR])).content.decode()
    assert "Monitoring dan evaluasi" in page
    assert "koreksi Dinas Sosial" in page
    assert "Menurut catatan: Act: pelaksanaan rencana aksi" in page
    hub = client.get(reverse("actionplans:village", args=[SUCOLOR])).content.decode()
    assert "Monitoring lapangan sudah berjalan" in hub
    api_client.force_authenticate(users["analyst"])
    body = api_client.get("/api/v1/villages/{}/".format(SUCOLOR)).json()
    assert (body["stage"], body["stage_is_override"], body["stage_derived"]) == ("evaluasi", True, "act")
    # Cleared: the records speak again; the override stays in the history.
    services.phase_override_clear(village=village, actor=users["province"], reason="Data tahap sudah dicatat")
    assert phase() == ProgrammePhase.ACT
    assert PhaseOverride.objects.get().cleared_by == users["province"]


def test_override_through_the_page_is_refused_to_the_pensosmas_and_recorded_for_dinsos(client, users, approved_plan):
    url = reverse("actionplans:phase-override", args=[SUCOLOR])
    data = {"phase": "evaluasi", "reason": "Monitoring lapangan sudah berjalan"}
    client.force_login(users["pensosmas"])
    assert client.post(url, data).status_code == 403
    client.force_login(users["regency"])
    response = client.post(url + "?year=2026", data, follow=True)
    assert "Koreksi tahap DBS Sucolor dicatat." in response.content.decode()
    assert phase() == ProgrammePhase.EVALUATION


def test_every_reader_gets_the_same_phase(client, api_client, users, approved_plan):
    """Village page, search, API list and detail, dashboard and profile PDF context all read the derived phase."""
    from reports.models import ReportJob
    from reports.selectors import village_profile_context

    LokusYear.objects.create(village_id=SUCOLOR, year=2026)
    client.force_login(users["regency"])
    label = "Act: pelaksanaan rencana aksi"
    assert label in client.get(reverse("villages:village-detail", args=[SUCOLOR])).content.decode()
    results = client.get(reverse("villages:search"), {"stage": "act"}).context["results"]
    assert [village.code for village in results] == [SUCOLOR]
    assert client.get(reverse("villages:search"), {"stage": "look"}).context["results"] == []
    dashboard = client.get(reverse("actionplans:dashboard"), {"year": 2026}).context["data"]
    assert ("Act: pelaksanaan rencana aksi", "act", 1) in dashboard["phases"]
    assert dashboard["villages"] == 1
    api_client.force_authenticate(users["regency"])
    rows = api_client.get("/api/v1/villages/", {"stage": "act"}).json()["results"]
    assert [(row["code"], row["stage"]) for row in rows] == [(SUCOLOR, "act")]
    job = ReportJob(kind=ReportJob.Kind.VILLAGE_PROFILE, region_code=SUCOLOR, requested_by=users["regency"],
                    parameters={"village": SUCOLOR})
    assert village_profile_context(job)["phase"].label == label
