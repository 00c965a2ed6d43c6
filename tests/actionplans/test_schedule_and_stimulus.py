"""Honest stage states, schedule change requests, stimulus tranches that balance, spending in the plan period."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from actionplans import services
from actionplans.models import ProgrammeStage, StageChangeRequest, StimulusTranche, TrancheRevision
from actionplans.schedule import StageState, schedule, state_of
from tests.actionplans.conftest import activity_data, moment, receive_tranche
from villages.models import LokusYear

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)
D = datetime.date


@pytest.mark.parametrize(("planned_end", "actual_start", "actual_end", "state", "days"), [
    (D(2026, 6, 30), None, None, StageState.PLANNED, 0),
    (D(2026, 6, 30), D(2026, 5, 1), None, StageState.ONGOING, 0),
    (D(2026, 3, 28), D(2026, 3, 1), None, StageState.OVERDUE, 65),
    (D(2026, 3, 28), D(2026, 3, 1), D(2026, 3, 28), StageState.DONE_ON_TIME, 0),
    (D(2026, 3, 28), D(2026, 3, 1), D(2026, 4, 7), StageState.DONE_LATE, 10),  # 7 Apr against 28 Mar
    (None, D(2026, 3, 1), D(2026, 4, 7), StageState.DONE, 0),
    (None, None, None, StageState.PLANNED, 0),
])
def test_stage_state_and_days_late(planned_end, actual_start, actual_end, state, days):
    assert state_of(planned_end, actual_start, actual_end, TODAY) == (state, days)


def test_state_labels_are_distinct_in_both_languages():
    from django.utils import translation

    for language in ("id", "en"):
        with translation.override(language):
            labels = [str(label) for label in StageState.labels]
            assert len(set(labels)) == len(labels), labels


def _stages(users, village, year=2026, **dates):
    stages = services.stages_initialise(village=village, year=year, actor=users["regency"])
    for index, (planned_end, actual_end) in dates.items():
        services.stage_update(stage=stages[int(index[1:])], actor=users["regency"], data={
            "planned_end": planned_end, "actual_end": actual_end})
    return list(ProgrammeStage.objects.filter(village=village, year=year).order_by("order"))


def test_a_late_stage_puts_the_later_unfinished_stages_at_risk(users, plan):
    stages = _stages(users, plan.village, s0=(D(2026, 1, 31), D(2026, 1, 30)), s1=(D(2026, 2, 28), D(2026, 3, 10)),
                     s2=(D(2026, 3, 31), D(2026, 3, 31)), s4=(D(2026, 9, 30), None))
    statuses = schedule(stages, [], TODAY)
    assert [(status.state, status.at_risk) for status in statuses] == [
        ("done_on_time", False), ("done_late", False), ("done_on_time", False), ("planned", True),
        ("planned", True), ("planned", True), ("planned", True)]
    assert statuses[3].risk_from == stages[1]


def test_the_stimulus_stage_follows_its_tranches(users, approved_plan):
    village = approved_plan.village
    stages = services.stages_initialise(village=village, year=2026, actor=users["regency"])
    transfer = stages[3]
    with pytest.raises(ValidationError) as error:
        services.stage_update(stage=transfer, actor=users["regency"], data={"actual_end": D(2026, 3, 1)})
    assert "mengikuti tanggal penerimaan tahap stimulan" in error.value.messages[0]
    first = receive_tranche(approved_plan, users["regency"], on=D(2026, 3, 20))
    second = services.tranche_plan(village=village, year=2026, actor=users["regency"], number=2,
                                   planned_amount=Decimal(2_000_000), planned_date=D(2026, 8, 15))
    status = schedule([transfer], [first, second], TODAY)[0]
    assert (status.state, status.actual_start, status.actual_end) == ("ongoing", D(2026, 3, 20), None)
    services.tranche_void(tranche=second, actor=users["regency"], reason="Tahap 2 dibatalkan kementerian")
    second.refresh_from_db()
    status = schedule([transfer], [first, second], TODAY)[0]
    assert (status.state, status.actual_end) == ("done", D(2026, 3, 20))  # no planned end given: plain "done"


def test_planned_dates_after_approval_change_only_by_an_approved_request(client, users, approved_plan):
    village = approved_plan.village
    LokusYear.objects.create(village=village, year=2026)
    stage = services.stages_initialise(village=village, year=2026, actor=users["regency"])[4]
    ProgrammeStage.objects.filter(pk=stage.pk).update(planned_end=D(2026, 3, 28))  # agreed before approval
    stage.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.stage_update(stage=stage, actor=users["pensosmas"], data={"planned_end": D(2027, 3, 28)})
    assert "lewat pengajuan perubahan jadwal" in error.value.message_dict["planned_end"][0]
    with pytest.raises(ValidationError):
        services.stage_change_request(stage=stage, actor=users["pensosmas"], planned_start=None,
                                      planned_end=D(2027, 3, 28), reason=" ")
    request = services.stage_change_request(stage=stage, actor=users["pensosmas"], planned_start=None,
                                            planned_end=D(2027, 3, 28), reason="Musim hujan")
    assert services.stage_change_request(stage=stage, actor=users["pensosmas"], planned_start=None,
                                         planned_end=D(2027, 3, 28), reason="Musim hujan") == request  # re-sent
    with pytest.raises(ValidationError):
        services.stage_change_request(stage=stage, actor=users["regency"], planned_start=None,
                                      planned_end=D(2027, 1, 1), reason="Lain")
    # Pending: the stage keeps its dates, and the dashboard still counts it late.
    stage.refresh_from_db()
    assert stage.planned_end == D(2026, 3, 28)
    client.force_login(users["regency"])
    data = client.get(reverse("actionplans:dashboard"), {"year": 2026}).context["data"]
    assert (data["overdue"], data["pending_changes"]) == (1, 1)
    with pytest.raises(PermissionDenied):
        services.stage_change_decide(change=request, actor=users["pensosmas"], approve=True)
    with pytest.raises(ValidationError):
        services.stage_change_decide(change=request, actor=users["regency"], approve=False, note="")
    request = services.stage_change_decide(change=request, actor=users["regency"], approve=False,
                                           note="Geser paling lambat Desember")
    with pytest.raises(ValidationError):
        services.stage_change_decide(change=request, actor=users["province"], approve=True)
    second = services.stage_change_request(stage=stage, actor=users["pensosmas"], planned_start=None,
                                           planned_end=D(2026, 12, 15), reason="Sesuai arahan Dinas Sosial")
    services.stage_change_decide(change=second, actor=users["regency"], approve=True)
    stage.refresh_from_db()
    assert stage.planned_end == D(2026, 12, 15)
    assert list(stage.change_requests.values_list("status", flat=True)) == ["approved", "rejected"]
    assert AuditEvent.objects.filter(action__startswith="actionplans.stage.change").count() == 4


def test_one_cannot_approve_ones_own_schedule_change(users, approved_plan):
    stage = services.stages_initialise(village=approved_plan.village, year=2026, actor=users["regency"])[0]
    request = services.stage_change_request(stage=stage, actor=users["regency"], planned_start=None,
                                            planned_end=D(2026, 12, 1), reason="Penyesuaian")
    with pytest.raises(PermissionDenied):
        services.stage_change_decide(change=request, actor=users["regency"], approve=True)
    services.stage_change_decide(change=request, actor=users["province"], approve=True)
    services.stage_change_decide(change=request, actor=users["province"], approve=True)  # sent twice: no error
    assert StageChangeRequest.objects.get().status == "approved"
    assert AuditEvent.objects.filter(action="actionplans.stage.change_approve").count() == 1


def test_actual_dates_cannot_be_in_the_future(users, plan):
    stage = services.stages_initialise(village=plan.village, year=2026, actor=users["regency"])[0]
    with pytest.raises(ValidationError) as error:
        services.stage_update(stage=stage, actor=users["regency"], data={
            "actual_end": timezone.localdate() + datetime.timedelta(days=1)})
    assert error.value.message_dict == {"actual_end": ["Tanggal realisasi tidak boleh di masa depan."]}


def test_tranche_receipts_are_checked(users, plan):
    village = plan.village
    tranche = services.tranche_plan(village=village, year=2026, actor=users["regency"], number=1,
                                    planned_amount=Decimal(10_000_000), planned_date=D(2026, 3, 15))
    with pytest.raises(PermissionDenied):
        services.tranche_receive(tranche=tranche, actor=users["pensosmas"], amount=Decimal(10_000_000),
                                 received_on=D(2026, 3, 20), reference="BAST/001")
    # The tranche of the issue: 1 June 2027 (future), Rp 1.000, reference "X", plan not approved.
    with pytest.raises(ValidationError) as error:
        services.tranche_receive(tranche=tranche, actor=users["regency"], amount=Decimal(1000),
                                 received_on=D(2027, 6, 1), reference="X")
    assert error.value.message_dict == {
        "received_on": ["Tanggal diterima tidak boleh di masa depan."],
        "reference": ["Tulis nomor BAST atau bukti transfer lengkap (minimal 4 karakter, memuat angka)."],
        "receipt_note": ["Tahap ini diterima sebelum rencana aksi 2026 disetujui; jumlah berbeda dari rencana "
                         "Rp 10.000.000: tuliskan alasannya."],
    }
    tranche = services.tranche_receive(tranche=tranche, actor=users["regency"], amount=Decimal(10_000_000),
                                       received_on=D(2026, 3, 20), reference="BAST/001",
                                       receipt_note="Dana tahap 1 cair sebelum rapat persetujuan")
    assert tranche.state == StimulusTranche.State.RECEIVED
    again = services.tranche_receive(tranche=tranche, actor=users["regency"], amount=Decimal(10_000_000),
                                     received_on=D(2026, 3, 20), reference="BAST/001")
    assert again == tranche
    assert TrancheRevision.objects.filter(action="received").count() == 1
    assert services.stimulus_balance(village_code=village.code, year=2026)["received"] == Decimal(10_000_000)
    assert services.stimulus_balance(village_code=village.code, year=2025)["received"] == Decimal(0)


def test_tranches_are_corrected_and_voided_with_reasons_never_deleted(client, users, approved_plan):
    tranche = receive_tranche(approved_plan, users["regency"], amount=3_000_000)
    with pytest.raises(ValidationError):
        services.tranche_correct(tranche=tranche, actor=users["regency"], amount=Decimal(2_500_000),
                                 received_on=D(2026, 2, 10), reference="BAST/STM/2026/001", reason="")
    tranche = services.tranche_correct(tranche=tranche, actor=users["regency"], amount=Decimal(2_500_000),
                                       received_on=D(2026, 2, 10), reference="BAST/STM/2026/001",
                                       reason="Salah ketik jumlah", receipt_note="Dipotong biaya transfer bank")
    services.tranche_correct(tranche=tranche, actor=users["regency"], amount=Decimal(2_500_000),
                             received_on=D(2026, 2, 10), reference="BAST/STM/2026/001",
                             reason="Salah ketik jumlah")  # the same correction sent twice: no second revision
    assert services.stimulus_balance(village_code=approved_plan.village_id, year=2026)["received"] == 2_500_000
    # Voided through the page: reason required, kept with who and why, out of the balance.
    client.force_login(users["regency"])
    url = reverse("actionplans:tranche-action", args=[tranche.pk, "void"])
    client.post(url, {"void-{}-reason".format(tranche.pk): ""})
    assert not StimulusTranche.objects.get(pk=tranche.pk).voided_at
    client.post(url, {"void-{}-reason".format(tranche.pk): "Tercatat dua kali"})
    tranche.refresh_from_db()
    assert (tranche.state, tranche.voided_by, tranche.void_reason) == ("void", users["regency"], "Tercatat dua kali")
    assert services.stimulus_balance(village_code=approved_plan.village_id, year=2026)["received"] == 0
    assert list(tranche.revisions.values_list("action", flat=True)) == ["planned", "received", "corrected", "voided"]
    assert tranche.revisions.get(action="corrected").before["amount"] == "3000000"
    assert "/stimulan/" in url
    assert StimulusTranche.objects.count() == 1


def test_spending_lies_within_the_plan_period(users, approved_plan):
    receive_tranche(approved_plan, users["regency"])
    activity = approved_plan.activities.get()
    for spent_on, message in (
        (D(2026, 1, 20), "Tanggal belanja di luar masa rencana aksi (01-02-2026 sampai 31-12-2026): rencana "
                         "disetujui 01-02-2026."),
        (timezone.localdate() + datetime.timedelta(days=1), "Tanggal belanja tidak boleh di masa depan."),
    ):
        with pytest.raises(ValidationError) as error:
            services.spending_record(activity=activity, actor=users["pensosmas"], amount=Decimal(1000),
                                     spent_on=spent_on, description="Konsumsi")
        assert error.value.message_dict == {"spent_on": [message]}
    services.spending_record(activity=activity, actor=users["pensosmas"], amount=Decimal(1000),
                             spent_on=D(2026, 2, 1), description="Konsumsi hari persetujuan")


def test_hub_shows_honest_states_and_the_stimulus(client, users, plan):
    village = plan.village
    LokusYear.objects.create(village=village, year=2026)
    _stages(users, village, s1=(D(2026, 2, 28), D(2026, 3, 10)))
    services.activity_save(plan=plan, actor=users["pensosmas"], data=activity_data(plan))
    services.plan_submit(plan=plan, actor=users["pensosmas"])
    approved = services.plan_review(plan=plan, actor=users["regency"], approve=True, at=moment(2026, 2, 1))
    receive_tranche(approved, users["regency"])
    client.force_login(users["pensosmas"])
    content = client.get(reverse("actionplans:village", args=[village.code]), {"year": 2026}).content.decode()
    assert "Selesai terlambat · 10 hari" in content
    assert "berisiko" in content
    assert "mengikuti penerimaan tahap stimulan" in content
    assert "BAST/STM/2026/001" in content
    assert "Catat penerimaan" not in content  # Dinas Sosial records tranches


def test_record_numbers_in_pages_are_not_formatted_as_quantities(client, users, plan):
    """Ids, links and form values carry raw numbers (1234), never "1.234" (USE_THOUSAND_SEPARATOR)."""
    from villages.models import Cohort, CohortVillage

    village = plan.village
    ProgrammeStage.objects.create(pk=12345, village=village, year=2026, stage="monitoring", order=5)
    cohort = Cohort.objects.create(pk=4321, name="Angkatan Uji", year=2026, region_code="35.11")
    CohortVillage.objects.create(cohort=cohort, village=village)
    client.force_login(users["regency"])
    hub = client.get(reverse("actionplans:village", args=[village.code]), {"year": 2026}).content.decode()
    assert 'id="tahap-12345"' in hub
    dashboard = client.get(reverse("actionplans:dashboard"), {"cohort": 4321}).content.decode()
    assert '<option value="4321" selected>' in dashboard
    assert 'max="1"' in dashboard
