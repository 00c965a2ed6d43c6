"""Export of the filtered registration list: scoped per role, NIK masked except for staff, audited."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from ppks.models import Registration
from tests.ppks.factories import register
from villages.models import Village

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(users):
    """Registrations in three kab/kota: Bondowoso (two villages), Situbondo and Salatiga."""
    return {
        "sucolor": register(users["pensosmas"], submit=True),
        "dawuhan": register(users["regency"], category="LUT", nik="3511020101500001", name="Pak Darmo", sex="L",
                            birth_date=datetime.date(1950, 1, 1), village=Village.objects.get(code="35.11.02.2001")),
        "situbondo": register(users["other_regency"], category="AT", nik="3512010101150002", name="Budi", sex="L",
                              birth_date=datetime.date(2015, 1, 1),
                              village=Village.objects.get(code="35.12.01.2001")),
        "salatiga": register(users["admin"], category="FM", nik=None, nik_status="belum_punya", name="Tuti",
                             village=Village.objects.get(code="33.73.04.1001"), kk_number=""),
    }


def export_csv(client, user, **params) -> list[list[str]]:
    client.force_login(user)
    response = client.get(reverse("ppks:export"), {"format": "csv", **params})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:])))


@pytest.mark.parametrize(
    ("user_key", "expected"),
    [
        ("admin", {"Siti Aminah", "Pak Darmo", "Budi", "Tuti"}),
        ("analyst", {"Siti Aminah", "Pak Darmo", "Budi", "Tuti"}),
        ("province", {"Siti Aminah", "Pak Darmo", "Budi"}),
        ("regency", {"Siti Aminah", "Pak Darmo"}),
        ("other_regency", {"Budi"}),
        ("regency_without_code", set()),
    ],
)
def test_export_is_scoped_per_role(client, users, registry, user_key, expected):
    rows = export_csv(client, users[user_key])
    assert {line[0] for line in rows[1:]} == expected


@pytest.mark.parametrize("user_key", ["pensosmas", "no_role"])
def test_roles_without_export_are_refused_and_nothing_is_audited(client, users, registry, user_key):
    client.force_login(users[user_key])
    assert client.get(reverse("ppks:export"), {"format": "csv"}).status_code == 403
    assert not AuditEvent.objects.filter(action="ppks.registration.export").exists()


def test_export_requires_login(client, registry):
    response = client.get(reverse("ppks:export"))
    assert response.status_code == 302


def test_csv_content_for_staff_is_exact(client, users, registry):
    # given: one registration of Sucolor, filtered by region
    created = timezone.localdate().isoformat()
    # when
    rows = export_csv(client, users["regency"], region="35.11.01")
    # then
    assert rows == [
        ["Nama", "NIK", "No. KK", "Jenis kelamin", "Tanggal lahir", "Desa/kelurahan", "Kecamatan", "Dusun", "RT",
         "RW", "Kategori", "Direktorat", "Status", "Tanggal daftar"],
        ["Siti Aminah", "3511015203850003", "3511010101200001", "P", "1985-03-12", "Sucolor", "Maesan", "Krajan",
         "001", "002", "FM", "dayasos", "Diajukan", created],
    ]


def test_analyst_gets_masked_nik_and_kk(client, users, registry):
    rows = export_csv(client, users["analyst"], category="FM", ordering="name")
    assert [line[:3] for line in rows[1:]] == [["Siti Aminah", "3511********0003", "3511********0001"],
                                               ["Tuti", "", ""]]


def test_filters_apply_and_export_is_audited(client, users, registry):
    rows = export_csv(client, users["province"], category="LUT")
    assert [line[0] for line in rows[1:]] == ["Pak Darmo"]
    event = AuditEvent.objects.get(action="ppks.registration.export")
    assert event.actor == users["province"]
    assert event.detail == {"filters": {"category": "LUT"}, "rows": 1, "format": "csv", "nik": "full"}


def test_xlsx_export(client, users, registry):
    from python_calamine import CalamineWorkbook

    client.force_login(users["analyst"])
    response = client.get(reverse("ppks:export"), {"format": "xlsx", "ordering": "name"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="registrasi-ppks-')
    content = b"".join(response.streaming_content)
    values = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert [line[0] for line in values] == ["Nama", "Budi", "Pak Darmo", "Siti Aminah", "Tuti"]
    assert values[3][1] == "3511********0003"
    assert AuditEvent.objects.get(action="ppks.registration.export").detail["format"] == "xlsx"


def test_formula_like_text_is_neutralised(client, users):
    register(users["admin"], name="=HYPERLINK(\"x\")", nik="3511011505900001", sex="L",
             birth_date=datetime.date(1990, 5, 15))
    rows = export_csv(client, users["admin"])
    assert rows[1][0] == "'=HYPERLINK(\"x\")"


@pytest.mark.parametrize(("params", "status"), [({"format": "pdf"}, 400), ({"format": "csv", "region": "x"}, 200),
                                                ({"format": "csv", "category": "ZZZ"}, 400)])
def test_bad_parameters(client, users, registry, params, status):
    client.force_login(users["admin"])
    assert client.get(reverse("ppks:export"), params).status_code == status


def test_export_runs_a_bounded_number_of_queries(client, users, registry, django_assert_max_num_queries):
    client.force_login(users["admin"])
    for index in range(30):
        register(users["admin"], nik="351101010190{:04d}".format(index + 1), name="Orang {}".format(index),
                 sex="L", birth_date=datetime.date(1990, 1, 1))
    assert Registration.objects.count() == 34
    with django_assert_max_num_queries(8):
        response = client.get(reverse("ppks:export"), {"format": "csv"})
        rows = list(response.streaming_content)
    assert len(rows) == 35


def test_list_page_links_to_export_and_import(client, users, registry):
    client.force_login(users["regency"])
    content = client.get(reverse("ppks:list"), {"category": "FM"}).content.decode()
    assert reverse("ppks:export") + "?category=FM&amp;format=csv" in content
    assert reverse("ppks:import") in content
