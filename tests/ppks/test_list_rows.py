"""The PPKS lists read rows with values() (issue 21): same content as the model instances gave, categories and
directorates from process memory, and the region filter folded into the scope as one condition (issue 15.13)."""

import datetime
import uuid

import pytest
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.scoping import visible_to
from ppks.api.serializers import REGISTRATION_LIST_VALUES, RegistrationSerializer, registration_list_data
from ppks.models import Category, Directorate, Registration
from ppks.reference import category_choices, reference
from ppks.selectors import LIST_VALUES, registration_rows
from tests.ppks.factories import register
from villages.models import Village

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(users):
    """A submitted registration in Maesan with every optional field filled, one in Situbondo, one verified."""
    first = register(users["pensosmas"], submit=True)
    first.client_uuid = uuid.uuid4()
    first.save(update_fields=["client_uuid"])
    other = register(users["other_regency"], nik="3512010101150002", name="Budi", sex="L", category="AT",
                     birth_date=datetime.date(2015, 1, 1), village=Village.objects.get(code="35.12.01.2001"))
    dawuhan = register(users["regency"], nik="3511020101800003", name="Wati", category="PRSE",
                       village=Village.objects.get(code="35.11.02.2001"), submit=True)
    return first, other, dawuhan


def test_api_list_data_equals_the_serializer(listed):
    registrations = Registration.objects.order_by("pk")
    expected = RegistrationSerializer(registrations, many=True).data
    assert registration_list_data(registrations.values(*REGISTRATION_LIST_VALUES)) == [dict(row) for row in expected]
    assert expected[0]["client_uuid"]
    assert expected[0]["person"]["nik_masked"].count("*") == 8


def test_page_rows_read_like_registrations(listed):
    registrations = list(Registration.objects.order_by("pk"))
    rows = registration_rows(Registration.objects.order_by("pk").values(*LIST_VALUES))
    for registration, row in zip(registrations, rows, strict=True):
        assert row.get_absolute_url == registration.get_absolute_url()
        assert row.person.name == registration.person.name
        assert row.person.get_sex_display == registration.person.get_sex_display()
        assert row.person.nik == "{}********{}".format(registration.person.nik[:4], registration.person.nik[-4:])
        assert row.person.rt_rw == registration.person.rt_rw
        assert row.village.district.name == registration.village.district.name
        assert row.category.code == registration.category.code
        assert row.category.label == registration.category.label
        assert (row.directorate.code if row.directorate else None) == (
            registration.directorate.code if registration.directorate else None)
        assert row.get_status_display == registration.get_status_display()


def test_list_page_shows_rows_filters_and_counts(client, users, listed):
    client.force_login(users["regency"])
    page = client.get("/ppks/", {"category": "FM"})
    body = page.content.decode()
    assert "Siti Aminah" in body
    assert "Wati" not in body
    assert "Budi" not in body
    assert '<option value="FM" selected>' in body
    assert client.get("/ppks/", {"category": "TIDAK-ADA"}).context["total"] == 0
    queue = client.get("/ppks/verifikasi/")
    assert [row.person.name for row in queue.context["page"]] == ["Siti Aminah", "Wati"]


def test_reference_data_follow_a_change(client, users, listed):
    """A renamed category or a new directorate shows on the next request (version token renewed on save)."""
    reference()
    category = Category.objects.get(code="FM")
    category.name = "Fakir miskin (diubah)"
    category.save()
    Directorate.objects.create(code="baru", name="Ditjen Baru")
    assert ("FM", "Fakir miskin (diubah) (FM)") in category_choices()
    assert "baru" in reference().directorate_codes
    client.force_login(users["regency"])
    assert "Ditjen Baru" in client.get("/ppks/").content.decode()


def test_reference_data_are_not_read_again_while_unchanged(users, listed):
    reference()
    with CaptureQueriesContext(connection) as captured:
        category_choices()
        reference()
    assert len(captured) == 0


def _like_conditions(queryset) -> int:
    try:
        return str(queryset.query).count("LIKE")
    except EmptyResultSet:  # a condition that matches nothing: no SQL at all
        return 0


@pytest.mark.parametrize(("user", "region", "expected"), [
    ("regency", "35.11.01", ["Siti Aminah"]),        # region inside the scope: the region's condition only
    ("regency", "35.11", ["Siti Aminah", "Wati"]),   # the scope itself
    ("province", "35.11.02", ["Wati"]),
    ("regency", "35", ["Siti Aminah", "Wati"]),      # scope inside the region: the scope's condition only
    ("regency", "35.12", []),                        # outside the scope: nothing
    ("analyst", "35.12", ["Budi"]),
    ("pensosmas", "35.11", ["Siti Aminah"]),         # assigned villages inside the region
    ("pensosmas", "35.11.02", []),
    ("regency", "35.1x", []),                        # malformed code
])
def test_scope_and_region_make_one_condition(users, listed, user, region, expected):
    queryset = visible_to(users[user], Registration.objects.all(), within=region)
    assert sorted(queryset.values_list("person__name", flat=True)) == expected
    assert _like_conditions(queryset) <= 1


def test_list_with_region_filter_has_one_prefix_condition(client, users, listed):
    """Issue 15.13: the scope prefix and the region filter were two LIKE conditions on the same column,
    which PostgreSQL estimated as if independent (12 rows for 10,840)."""
    client.force_login(users["regency"])
    for path in ("/ppks/", "/api/v1/registrations/"):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, {"region": "35.11.01"})
        assert response.status_code == 200
        listing = [query["sql"] for query in captured if "ppks_registration" in query["sql"]]
        assert listing
        assert all(sql.count("LIKE") == 1 for sql in listing), listing
    names = [row["person"]["name"] for row in client.get("/api/v1/registrations/", {"region": "35.11.01"}).json()[
        "results"]]
    assert names == ["Siti Aminah"]
    assert client.get("/api/v1/registrations/", {"region": "35.12"}).json()["results"] == []
