import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from villages.models import Cohort, CohortVillage, LokusYear, SocialPillar, VillageProfile

pytestmark = pytest.mark.django_db


def test_browse_lists_provinces_with_counts(client, users):
    client.force_login(users["analyst"])
    response = client.get(reverse("villages:browse"))
    assert response.status_code == 200
    rows = {row.region.code: (row.child_count, row.village_count) for row in response.context["rows"]}
    assert rows == {"33": (1, 1), "35": (2, 5)}


def test_browse_as_regency_user_shows_only_own_branch(client, users):
    client.force_login(users["regency"])
    provinces = client.get(reverse("villages:browse")).context["rows"]
    assert [(row.region.code, row.child_count, row.village_count) for row in provinces] == [("35", 1, 4)]
    regencies = client.get(reverse("villages:region", args=["35"])).context["rows"]
    assert [row.region.code for row in regencies] == ["35.11"]
    districts = client.get(reverse("villages:region", args=["35.11"])).context["rows"]
    assert [(row.region.code, row.child_count) for row in districts] == [("35.11.01", 2), ("35.11.02", 2)]
    villages = client.get(reverse("villages:region", args=["35.11.02"])).content.decode()
    assert "Dawuhan" in villages
    assert "Kelurahan Contoh" in villages


def test_out_of_scope_region_and_village_are_not_found(client, users):
    client.force_login(users["regency"])
    assert client.get(reverse("villages:region", args=["35.12"])).status_code == 404
    assert client.get(reverse("villages:village-detail", args=["35.12.01.2001"])).status_code == 404
    assert client.get(reverse("villages:region", args=["bukan"])).status_code == 404


def test_search_by_name_and_code_within_scope(client, users):
    client.force_login(users["province"])
    by_name = client.get(reverse("villages:search"), {"q": "sum"}).context["results"]
    assert [village.code for village in by_name] == ["35.12.01.2001"]
    by_code = client.get(reverse("villages:search"), {"q": "35.11.02"}).context["results"]
    assert [village.code for village in by_code] == ["35.11.02.1001", "35.11.02.2001"]
    client.force_login(users["regency"])
    assert list(client.get(reverse("villages:search"), {"q": "sum"}).context["results"]) == []


def test_search_filters_by_kind(client, users):
    client.force_login(users["analyst"])
    results = client.get(reverse("villages:search"), {"region": "35", "kind": "kelurahan"}).context["results"]
    assert [village.code for village in results] == ["35.11.02.1001"]


def test_village_page_shows_profile_and_pillars(client, users):
    VillageProfile.objects.create(village_id="35.11.01.2001", notes="Desa pesisir")
    LokusYear.objects.create(village_id="35.11.01.2001", year=2025)
    cohort = Cohort.objects.create(name="Angkatan 2025", year=2025, region_code="35.11")
    CohortVillage.objects.create(cohort=cohort, village_id="35.11.01.2001")
    SocialPillar.objects.create(village_id="35.11.01.2001", kind="tagana", name="Tagana Sucolor")
    client.force_login(users["pensosmas"])
    content = client.get(reverse("villages:village-detail", args=["35.11.01.2001"])).content.decode()
    assert "Angkatan 2025" in content
    assert "Penjajagan lokasi" in content  # a lokus with no other record: derived, not typed in
    assert "Desa pesisir" in content
    assert "2025" in content
    assert "2.025" not in content
    assert "Tagana Sucolor" in content
    assert "pensosmas" in content


def test_dinsos_edits_profile_with_lokus_years_and_audit(client, users):
    client.force_login(users["regency"])
    url = reverse("villages:profile-edit", args=["35.11.01.2001"])
    response = client.post(url, {"stage": "mandiri", "notes": "Catatan", "lokus_years": "2026, 2025"})
    assert response.status_code == 302
    profile = VillageProfile.objects.get(village_id="35.11.01.2001")
    assert profile.notes == "Catatan"
    assert not hasattr(profile, "stage")  # the phase is derived from records, never typed into the profile
    assert sorted(LokusYear.objects.filter(village_id="35.11.01.2001").values_list("year", flat=True)) == [2025, 2026]
    event = AuditEvent.objects.get(action="villages.profile_update")
    assert event.detail["after"]["lokus_years"] == [2025, 2026]


def test_bad_lokus_year_gets_indonesian_error(client, users):
    client.force_login(users["regency"])
    url = reverse("villages:profile-edit", args=["35.11.01.2001"])
    response = client.post(url, {"stage": "think", "lokus_years": "2025, dua ribu"})
    assert response.status_code == 200
    assert "Tahun lokus &#x27;dua ribu&#x27; tidak sah" in response.content.decode()
    assert not VillageProfile.objects.exists()


def test_pensosmas_and_analyst_cannot_edit_and_other_regency_gets_404(client, users):
    url = reverse("villages:profile-edit", args=["35.11.01.2001"])
    client.force_login(users["pensosmas"])
    assert client.post(url, {"stage": "think"}).status_code == 403
    client.force_login(users["analyst"])
    assert client.post(url, {"stage": "think"}).status_code == 403
    client.force_login(users["other_regency"])
    assert client.post(url, {"stage": "think"}).status_code == 404
    assert not VillageProfile.objects.exists()


def test_pillar_create_validates_phone(client, users):
    client.force_login(users["regency"])
    url = reverse("villages:pillar-create", args=["35.11.01.2001"])
    bad = client.post(url, {"kind": "psm", "name": "PSM Sucolor", "phone": "12ab", "active": "on"})
    assert "Nomor telepon harus 8-15 angka" in bad.content.decode()
    good = client.post(url, {"kind": "psm", "name": "PSM Sucolor", "phone": "0812-3456-7890", "active": "on"})
    assert good.status_code == 302
    pillar = SocialPillar.objects.get()
    assert (pillar.village_id, pillar.phone) == ("35.11.01.2001", "081234567890")
    assert AuditEvent.objects.filter(action="villages.pillar_create", object_id=str(pillar.pk)).exists()
