import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import AuditEvent
from actionplans import services
from actionplans.models import ActionPlan, PokjaMember, ProgrammeStage, Spending
from actionplans.schedule import schedule
from dimensions import services as dimension_services
from tests.actionplans.conftest import activity_data, receive_tranche
from villages.models import Village

pytestmark = pytest.mark.django_db


def test_plan_answers_the_latest_validated_baseline_and_proposes_weakest_indicators(plan, validated_baseline):
    assert plan.assessment == validated_baseline
    assert plan.title == "Rencana aksi Sucolor 2026"
    proposals = services.proposed_activities(plan)
    assert [item["indicator"].code for item in proposals] == ["2.1", "3.1", "3.2", "3.3", "3.4"]
    assert all(item["mean"] == Decimal("1.0000") for item in proposals)


def test_activity_rules(plan, users):
    wrong_indicator = plan.assessment.instrument.dimensions.get(number=1).indicators.first()
    with pytest.raises(ValidationError) as error:
        services.activity_save(plan=plan, actor=users["pensosmas"],
                               data=activity_data(plan, indicators=[wrong_indicator]))
    assert error.value.message_dict == {"indicators": ["Indikator 1.1 bukan bagian dari dimensi D3."]}
    with pytest.raises(ValidationError) as error:
        services.activity_save(plan=plan, actor=users["pensosmas"],
                               data=activity_data(plan, end_date=datetime.date(2026, 2, 1)))
    assert "Tanggal selesai tidak boleh sebelum tanggal mulai." in error.value.messages
    activity = services.activity_save(plan=plan, actor=users["pensosmas"], data=activity_data(plan))
    assert sorted(activity.indicators.values_list("code", flat=True)) == ["3.2", "3.4"]


def test_plan_workflow(plan, users):
    with pytest.raises(ValidationError) as error:
        services.plan_submit(plan=plan, actor=users["pensosmas"])
    assert error.value.messages == ["Tambahkan minimal satu kegiatan sebelum mengajukan."]
    services.activity_save(plan=plan, actor=users["pensosmas"], data=activity_data(plan))
    plan = services.plan_submit(plan=plan, actor=users["pensosmas"])
    with pytest.raises(ValidationError):
        services.activity_save(plan=plan, actor=users["pensosmas"], data=activity_data(plan))
    with pytest.raises(PermissionDenied):
        services.plan_review(plan=plan, actor=users["pensosmas"], approve=True)
    with pytest.raises(PermissionDenied):
        services.plan_review(plan=plan, actor=users["other_regency"], approve=True)
    with pytest.raises(ValidationError):
        services.plan_review(plan=plan, actor=users["regency"], approve=False, reason="")
    plan = services.plan_review(plan=plan, actor=users["regency"], approve=False, reason="Anggaran terlalu besar")
    assert plan.status == ActionPlan.Status.RETURNED
    plan = services.plan_submit(plan=plan, actor=users["pensosmas"])
    plan = services.plan_review(plan=plan, actor=users["regency"], approve=True)
    assert (plan.status, plan.approved_by) == ("approved", users["regency"])


def test_stimulus_spending_and_overspending_override(approved_plan, users):
    village = approved_plan.village
    activity = approved_plan.activities.get()
    with pytest.raises(PermissionDenied):
        services.tranche_plan(village=village, year=2026, actor=users["pensosmas"], number=1,
                              planned_amount=Decimal(3000000), planned_date=datetime.date(2026, 2, 10))
    receive_tranche(approved_plan, users["regency"])
    services.spending_record(activity=activity, actor=users["pensosmas"], amount=Decimal(2000000),
                             spent_on=datetime.date(2026, 3, 5), description="Konsumsi pelatihan")
    with pytest.raises(ValidationError) as error:
        services.spending_record(activity=activity, actor=users["pensosmas"], amount=Decimal(1500000),
                                 spent_on=datetime.date(2026, 3, 6), description="Honor narasumber")
    assert error.value.message_dict == {"amount": [
        "Saldo stimulan tidak cukup: saldo Rp 1.000.000, belanja Rp 1.500.000. Isi alasan untuk melebihi saldo "
        "(hanya Dinas Sosial)."]}
    with pytest.raises(PermissionDenied):
        services.spending_record(activity=activity, actor=users["pensosmas"], amount=Decimal(1500000),
                                 spent_on=datetime.date(2026, 3, 6), description="Honor", override_reason="Darurat")
    spending = services.spending_record(activity=activity, actor=users["regency"], amount=Decimal(1500000),
                                        spent_on=datetime.date(2026, 3, 6), description="Honor",
                                        override_reason="Tahap 2 sudah dijadwalkan")
    assert (spending.authorised_by, spending.override_reason) == (users["regency"], "Tahap 2 sudah dijadwalkan")
    assert services.stimulus_balance(village_code=village.code, year=2026) == {
        "planned": Decimal(3000000), "received": Decimal(3000000), "spent": Decimal(3500000),
        "balance": Decimal(-500000)}
    assert AuditEvent.objects.filter(action="actionplans.spending.record", detail__override=True).count() == 1
    assert Spending.objects.count() == 2


def test_spending_needs_an_approved_plan(plan, users):
    activity = services.activity_save(plan=plan, actor=users["pensosmas"], data=activity_data(plan))
    with pytest.raises(ValidationError) as error:
        services.spending_record(activity=activity, actor=users["regency"], amount=Decimal(1),
                                 spent_on=datetime.date(2026, 3, 6), description="x")
    assert error.value.messages == ["Belanja hanya dapat dicatat untuk rencana aksi yang sudah disetujui."]


def test_stages_and_late_flags(users):
    village = Village.objects.get(code="35.11.01.2001")
    stages = services.stages_initialise(village=village, year=2026, actor=users["regency"])
    assert [stage.stage for stage in stages] == ProgrammeStage.ORDER
    assert len(services.stages_initialise(village=village, year=2026, actor=users["regency"])) == 7
    first, second, third = stages[:3]
    services.stage_update(stage=first, actor=users["regency"], data={
        "planned_start": datetime.date(2026, 1, 1), "planned_end": datetime.date(2026, 1, 31)})
    services.stage_update(stage=second, actor=users["regency"], data={
        "planned_end": datetime.date(2026, 2, 28), "actual_end": datetime.date(2026, 3, 10)})
    services.stage_update(stage=third, actor=users["regency"], data={
        "planned_end": datetime.date(2026, 12, 31)})
    today = datetime.date(2026, 6, 1)
    statuses = schedule(ProgrammeStage.objects.all(), [], today)
    assert [(status.stage.stage, status.state, status.days_late) for status in statuses if status.is_late] == [
        ("penjajagan", "overdue", 121), ("pengumpulan_data", "done_late", 10)]
    with pytest.raises(ValidationError):
        services.stage_update(stage=third, actor=users["regency"], data={
            "actual_start": datetime.date(2026, 5, 2), "actual_end": datetime.date(2026, 5, 1)})
    with pytest.raises(PermissionDenied):
        services.stage_update(stage=third, actor=users["other_regency"], data={})


def test_pokja_has_one_active_chair(users):
    village = Village.objects.get(code="35.11.01.2001")
    pokja = services.pokja_save(village=village, actor=users["pensosmas"], decree_number="SK 12/2026",
                                decree_date=datetime.date(2026, 1, 5))
    member = {"name": "Pak Kades", "role": "ketua", "origin": "formal", "institution": "Pemdes"}
    services.pokja_member_save(pokja=pokja, actor=users["pensosmas"], data=member)
    with pytest.raises(ValidationError) as error:
        services.pokja_member_save(pokja=pokja, actor=users["pensosmas"], data={**member, "name": "Bu Ketua"})
    assert "Pokja ini sudah punya ketua aktif." in error.value.messages
    assert PokjaMember.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("foto.gif", b"GIF89a", "Hanya foto JPG/PNG atau dokumen PDF."),
        ("foto.jpg", b"%PDF-1.7", "Isi berkas tidak sesuai dengan jenisnya (.jpg)."),
        ("besar.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), "Berkas lebih dari 5 MB."),
    ],
)
def test_evidence_type_and_size_are_checked(approved_plan, users, name, content, message):
    activity = approved_plan.activities.get()
    with pytest.raises(ValidationError) as error:
        services.evidence_add(activity=activity, actor=users["pensosmas"],
                              upload=SimpleUploadedFile(name, content))
    assert error.value.message_dict == {"file": [message]}


def test_evidence_photo_is_stored(approved_plan, users):
    activity = approved_plan.activities.get()
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, format="PNG")
    evidence = services.evidence_add(activity=activity, actor=users["pensosmas"], caption="Pelatihan hari 1",
                                     upload=SimpleUploadedFile("foto.png", buffer.getvalue()))
    assert evidence.kind == "photo"
    assert evidence.file.name.startswith("evidence/")
    assert "foto" not in evidence.file.name  # stored under a random name


def test_monitoring_and_evaluation(approved_plan, users, make_assessment):
    with pytest.raises(ValidationError):
        services.monitoring_record(village=approved_plan.village, actor=users["pensosmas"],
                                   visited_on=datetime.date(2099, 1, 1), findings="x")
    services.monitoring_record(village=approved_plan.village, actor=users["pensosmas"], plan=approved_plan,
                               visited_on=datetime.date(2026, 4, 1), findings="Pelatihan berjalan")
    endline = make_assessment(phase="endline", submit=True)
    with pytest.raises(ValidationError) as error:
        services.evaluation_save(plan=approved_plan, actor=users["regency"], endline=endline, findings="x")
    assert error.value.message_dict == {"endline": [
        "Endline ini berstatus 'Diajukan': evaluasi hanya terhadap endline yang sudah divalidasi Dinas Sosial."]}
    endline = dimension_services.assessment_validate(assessment=endline, actor=users["regency"])
    evaluation = services.evaluation_save(plan=approved_plan, actor=users["regency"], endline=endline,
                                          findings="Skor tetap")
    changes = services.score_changes(evaluation.baseline, evaluation.endline)
    assert [(change["dimension"].code, change["change"]) for change in changes] == [
        ("D1", Decimal("0.0000")), ("D2", Decimal("0.0000")), ("D3", Decimal("0.0000")), ("D4", Decimal("0.0000"))]
    with pytest.raises(PermissionDenied):
        services.evaluation_save(plan=approved_plan, actor=users["pensosmas"], endline=endline, findings="x")
