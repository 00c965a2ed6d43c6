"""Pokja Tansosmas as practised, the ABCD asset map that feeds the plan, cohorts and the dashboard by cohort."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actionplans import services
from actionplans.models import Activity, Asset, Pokja, PokjaMember
from actionplans.selectors import pokja_composition
from tests.actionplans.conftest import activity_data
from villages import services as village_services
from villages.models import Cohort, LokusYear, Village

pytestmark = pytest.mark.django_db
SUCOLOR = "35.11.01.2001"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def member(**overrides) -> dict:
    data = {"name": "Pak Kades", "role": "ketua", "dimension": None, "origin": "formal", "institution_type": "pemdes",
            "institution": "Pemdes", "sex": "L", "age_group": "dewasa"}
    data.update(overrides)
    return data


def test_pokja_composition_warns_until_it_looks_like_the_practice(users):
    village = Village.objects.get(code=SUCOLOR)
    pokja = services.pokja_save(village=village, actor=users["pensosmas"], decree_number="",
                                decree_date=None)
    assert pokja.target_members == 30
    services.pokja_member_save(pokja=pokja, actor=users["pensosmas"], data=member())
    services.pokja_member_save(pokja=pokja, actor=users["pensosmas"], data=member(
        name="Drs. Wahyu", role="fasilitator", institution="TKSK Maesan", institution_type="psks"))
    with pytest.raises(ValidationError) as error:
        services.pokja_member_save(pokja=pokja, actor=users["pensosmas"], data=member(
            name="Bu Siti", role="koordinator"))
    assert error.value.message_dict == {"dimension": ["Pilih dimensi yang dikoordinasi."]}
    services.pokja_member_save(pokja=pokja, actor=users["pensosmas"], data=member(
        name="Pak Hasan", role="koordinator", dimension=3, origin="nonformal", institution_type="keagamaan",
        institution="Majelis Taklim"))
    with pytest.raises(ValidationError) as error:
        services.pokja_member_save(pokja=pokja, actor=users["pensosmas"], data=member(
            name="Pak Lain", role="koordinator", dimension=3))
    assert "Dimensi ini sudah punya koordinator aktif." in error.value.messages
    pokja.refresh_from_db()
    composition = pokja_composition(pokja)
    assert (composition.members, composition.facilitators, composition.women) == (2, 1, 0)
    assert composition.warnings == [
        "Baru 2 dari target 30 anggota: lengkapi dari pranata sosial formal dan non-formal.",
        "Belum ada anggota perempuan.",
        "Belum ada koordinator untuk D1, D2, D4.",
        "Nomor dan tanggal SK belum dicatat.",
    ]
    # Sent twice (a double tap): one member.
    services.pokja_member_save(pokja=pokja, actor=users["pensosmas"], data=member(
        name="Bu Sri", role="sekretaris", sex="P", institution="PKK", institution_type="pkk"))
    services.pokja_member_save(pokja=pokja, actor=users["pensosmas"], data=member(
        name="Bu Sri", role="sekretaris", sex="P", institution="PKK", institution_type="pkk"))
    assert PokjaMember.objects.filter(name="Bu Sri").count() == 1
    assert "Belum ada anggota perempuan." not in pokja_composition(pokja).warnings


def test_pokja_decree_upload_is_checked_stored_and_downloaded(client, users):
    village = Village.objects.get(code=SUCOLOR)
    with pytest.raises(ValidationError) as error:
        services.pokja_save(village=village, actor=users["pensosmas"], decree_number="188/12/2026",
                            decree_date=datetime.date(2026, 1, 12),
                            decree_upload=SimpleUploadedFile("sk.pdf", b"bukan pdf"))
    assert list(error.value.message_dict) == ["decree_file"]
    with pytest.raises(ValidationError):
        services.pokja_save(village=village, actor=users["pensosmas"], decree_number="188/12/2026",
                            decree_date=datetime.date(2099, 1, 1))
    client.force_login(users["pensosmas"])
    response = client.post(reverse("actionplans:pokja", args=[SUCOLOR]), {
        "form": "pokja", "decree_number": "188/12/430.9.11/2026", "decree_date": "2026-01-12",
        "target_members": "30", "notes": "", "decree_upload": SimpleUploadedFile("SK asli.pdf", PDF)})
    assert response.status_code == 302
    pokja = Pokja.objects.get(village=village)
    assert pokja.decree_file.name.startswith("pokja-sk/")
    assert "asli" not in pokja.decree_file.name
    download = client.get(reverse("actionplans:pokja-decree", args=[SUCOLOR]))
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    client.force_login(users["other_regency"])
    assert client.get(reverse("actionplans:pokja-decree", args=[SUCOLOR])).status_code == 404
    client.force_login(users["analyst"])
    assert client.post(reverse("actionplans:pokja", args=[SUCOLOR]), {"form": "member"}).status_code == 403


def asset(**overrides) -> dict:
    data = {"kind": "ekonomi", "name": "Beras dibeli dari luar desa", "description": "Panen dijual gabah.",
            "owner": "Kelompok Tani", "contact": "", "location": "Dusun Krajan", "leaky_bucket": True,
            "monthly_outflow": Decimal(30_000_000), "low_hanging_fruit": True, "active": True}
    data.update(overrides)
    return data


def test_assets_are_mapped_and_a_tagged_one_becomes_a_plan_activity(client, users, plan):
    village = plan.village
    leak = services.asset_save(village=village, actor=users["pensosmas"], data=asset())
    assert services.asset_save(village=village, actor=users["pensosmas"], data=asset()) == leak  # sent twice
    with pytest.raises(ValidationError):
        services.asset_save(village=village, actor=users["pensosmas"], data=asset(location="Lain"))
    skill = services.asset_save(village=village, actor=users["pensosmas"], data=asset(
        kind="keterampilan", name="Perajin bambu", leaky_bucket=False, monthly_outflow=Decimal(5),
        low_hanging_fruit=False))
    assert skill.monthly_outflow is None  # an outflow only belongs to a leaky bucket
    with pytest.raises(PermissionDenied):
        services.asset_save(village=Village.objects.get(code="35.12.01.2001"), actor=users["pensosmas"],
                            data=asset())
    client.force_login(users["pensosmas"])
    page = client.get(reverse("actionplans:assets", args=[village.code]))
    groups = dict(page.context["groups"])
    assert [item.name for item in groups["Ekonomi"]] == ["Beras dibeli dari luar desa"]
    assert [item.name for item in groups["Keterampilan individu"]] == ["Perajin bambu"]
    assert len(groups) == 6
    assert "Rp 30.000.000 per bulan mengalir keluar desa" in page.content.decode()
    only_leaks = client.get(reverse("actionplans:assets", args=[village.code]), {"tanda": "bocor"})
    assert [item.name for _label, items in only_leaks.context["groups"] for item in items] == [leak.name]
    # The Think stage turns the leak into an activity: the form comes prefilled from the asset.
    detail = client.get(plan.get_absolute_url(), {"aset": leak.pk})
    form = detail.context["activity_form"]
    assert form.initial["title"] == "Menahan uang di desa: Beras dibeli dari luar desa"
    assert form.initial["source_asset"] == leak.pk
    assert "Jadikan kegiatan" in detail.content.decode()
    activity = services.activity_save(plan=plan, actor=users["pensosmas"], data=activity_data(
        plan, title=form.initial["title"], source_asset=leak))
    assert Activity.objects.get(pk=activity.pk).source_asset == leak
    foreign = Asset.objects.create(village_id="35.12.01.2001", kind="ekonomi", name="Asing",
                                   recorded_by=users["other_regency"])
    with pytest.raises(ValidationError):
        services.activity_save(plan=plan, actor=users["pensosmas"], data=activity_data(plan, source_asset=foreign))
    assert client.get(plan.get_absolute_url(), {"aset": foreign.pk}).status_code == 404


def test_asset_api_is_scoped_and_goes_through_the_service(api_client, users):
    api_client.force_authenticate(users["pensosmas"])
    created = api_client.post("/api/v1/assets/", {**asset(monthly_outflow="30000000"), "village": SUCOLOR},
                              format="json")
    assert created.status_code == 201, created.json()
    outside = api_client.post("/api/v1/assets/", {**asset(monthly_outflow=None), "village": "35.11.01.2002"},
                              format="json")
    assert outside.status_code == 403
    api_client.force_authenticate(users["other_regency"])
    assert api_client.get("/api/v1/assets/").json()["results"] == []


def test_cohorts_hold_villages_of_their_region_and_filter_the_dashboard(client, users, approved_plan):
    with pytest.raises(ValidationError):
        village_services.cohort_save(actor=users["regency"], data={
            "name": "Desa Melesat", "year": 2026, "region_code": "35.11.01", "target_villages": 10,
            "target_graduated": 3})
    with pytest.raises(PermissionDenied):
        village_services.cohort_save(actor=users["regency"], data={
            "name": "Desa Melesat", "year": 2026, "region_code": "35.12", "target_villages": 10,
            "target_graduated": 3})
    with pytest.raises(PermissionDenied):
        village_services.cohort_save(actor=users["pensosmas"], data={
            "name": "Desa Melesat", "year": 2026, "region_code": "35.11", "target_villages": 10,
            "target_graduated": 3})
    cohort = village_services.cohort_save(actor=users["regency"], data={
        "name": "Desa Melesat Bondowoso", "year": 2026, "region_code": "35.11", "target_villages": 10,
        "target_graduated": 3})
    with pytest.raises(ValidationError):
        village_services.cohort_village_add(cohort=cohort, village=Village.objects.get(code="35.12.01.2001"),
                                            actor=users["admin"])
    for code in (SUCOLOR, "35.11.01.2002"):
        village_services.cohort_village_add(cohort=cohort, village=Village.objects.get(code=code),
                                            actor=users["regency"])
    village_services.cohort_village_add(cohort=cohort, village=Village.objects.get(code=SUCOLOR),
                                        actor=users["regency"])  # sent twice
    assert cohort.memberships.count() == 2
    LokusYear.objects.create(village_id="35.11.02.2001", year=2026)  # a lokus outside the cohort
    client.force_login(users["regency"])
    everything = client.get(reverse("actionplans:dashboard"), {"year": 2026}).context["data"]
    assert everything["villages"] == 3
    by_cohort = client.get(reverse("actionplans:dashboard"), {"cohort": cohort.pk})
    data = by_cohort.context["data"]
    assert (data["year"], data["villages"], data["cohort"].pk, data["cohort"].name) == (2026, 2, cohort.pk, cohort.name)
    assert {code: total for _label, code, total in data["phases"]} == {
        "penjajagan": 1, "look": 0, "think": 0, "act": 1, "evaluasi": 0, "mandiri": 0}
    assert "Desa angkatan (target 10)" in by_cohort.content.decode()
    detail = client.get(cohort.get_absolute_url())
    assert detail.context["graduated"] == 0
    assert "Angkatan baru berisi 2 desa dari target 10." in detail.content.decode()
    search = client.get(reverse("villages:search"), {"cohort": cohort.pk}).context["results"]
    assert [village.code for village in search] == [SUCOLOR, "35.11.01.2002"]
    client.force_login(users["other_regency"])
    assert client.get(cohort.get_absolute_url()).status_code == 404
    assert not client.get(reverse("villages:cohort-list")).context["cohorts"]
    client.force_login(users["pensosmas"])  # sees the cohort that holds its village
    assert [item.name for item in client.get(reverse("villages:cohort-list")).context["cohorts"]] == [cohort.name]
    assert Cohort.objects.get().created_by == users["regency"]


def test_dashboard_counts_one_set_of_villages(client, users, approved_plan):
    """Three lokus villages, one with a schedule: every figure counts the same three (not "3 lokus, 1/1")."""
    for code in (SUCOLOR, "35.11.01.2002", "35.11.02.2001"):
        LokusYear.objects.create(village_id=code, year=2026)
    stages = services.stages_initialise(village=approved_plan.village, year=2026, actor=users["regency"])
    services.stage_update(stage=stages[0], actor=users["regency"], data={"actual_end": datetime.date(2026, 1, 20)})
    client.force_login(users["regency"])
    response = client.get(reverse("actionplans:dashboard"), {"year": 2026})
    data = response.context["data"]
    assert data["villages"] == 3
    assert dict(data["stage_progress"])["Penjajagan lokasi"] == 1
    assert '<progress value="1" max="3" aria-label="Penjajagan lokasi">' in response.content.decode()
    assert sum(total for _label, _code, total in data["phases"]) == 3
    assert data["scheduled_villages"] == 1
    assert "1 dari 3 desa sudah punya jadwal tahapan." in response.content.decode()
