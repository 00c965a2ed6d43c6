"""The PPKS lists read rows with values() (issue 21): same content as the model instances gave, categories and
directorates from process memory, and the region filter folded into the scope as one condition (issue 15.13)."""

import datetime
import uuid
from pathlib import Path

import pytest
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.scoping import visible_to
from ppks.api.serializers import REGISTRATION_LIST_VALUES, RegistrationSerializer, registration_list_data
from ppks.models import Category, Directorate, Person, Registration
from ppks.reference import category_choices, reference
from ppks.selectors import LIST_VALUES, registration_rows
from ppks.templatetags.ppks_tags import registration_rows as registration_rows_html
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


# The list's rows as the template loop wrote them before ``{% registration_rows %}`` (issue 21), kept to compare.
TEMPLATE_ROWS = Template((Path(__file__).parent / "data" / "registration_rows_before.html").read_text())


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("bulk", [True, False])
def test_list_rows_in_python_equal_the_template(users, listed, bulk, language):
    """Names (escaped), masked NIK or the reason it is missing, address, category, directorate, status label,
    links and raw ids: the Python rows are the template loop's, byte for byte."""
    odd = register(users["regency"], nik=None, nik_status=Person.NikStatus.NONE_YET, name="O'Neil <b>&amp; \"Ani\"",
                   birth_date=None, dusun="", rt="", rw="", category="AT",
                   village=Village.objects.get(code="35.11.02.2001"))
    rows = registration_rows(Registration.objects.order_by("pk").values(*LIST_VALUES))
    assert len(rows) == 4
    assert rows[-1].pk == odd.pk
    rows[-1].update(pk=123456, get_absolute_url="/ppks/registrasi/123456/")  # an id the locale would group
    with translation.override(language):
        expected = TEMPLATE_ROWS.render(Context({"page": rows, "bulk": bulk}))
        assert registration_rows_html(rows, bulk) == expected
        assert registration_rows_html([], bulk) == TEMPLATE_ROWS.render(Context({"page": [], "bulk": bulk}))
    assert "3511********0003" in expected
    assert "3511015203850003" not in expected
    assert 'value="123456"' in expected or not bulk
    assert "O&#x27;Neil &lt;b&gt;&amp;amp;" in expected
    assert 'href="/ppks/registrasi/123456/"' in expected


def test_list_page_rows(client, users, listed):
    """The page itself: rows of the user's scope, masked NIKs, links and checkboxes."""
    client.force_login(users["regency"])
    body = client.get("/ppks/").content.decode()
    first, _other, dawuhan = listed
    assert body.count('<tr>\n      <td class="select">') == 2
    assert 'value="{:d}" form="bulk-form" aria-label="Pilih Wati"'.format(dawuhan.pk) in body
    assert '<a href="/ppks/registrasi/{:d}/">Siti Aminah</a>'.format(first.pk) in body
    assert "3511********0003" in body
    assert "3511015203850003" not in body
    assert '<span class="badge status-submitted">Diajukan</span>' in body


@pytest.mark.parametrize("ordering", [("-created_at", "-pk"), ("submitted_at", "pk"), ("person__name", "-created_at")])
def test_a_few_rows_are_sorted_in_the_same_order(users, listed, ordering):
    """``few`` (the capped count found them all) only changes how the database finds the page's rows."""
    from ppks.selectors import registration_page_rows

    Registration.objects.filter(pk=listed[2].pk).update(created_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    queryset = Registration.objects.order_by(*ordering)
    walked = [row.pk for row in registration_page_rows(queryset[1:3])]
    with CaptureQueriesContext(connection) as captured:
        sorted_ = [row.pk for row in registration_page_rows(queryset[1:3], few=True)]
    assert sorted_ == walked
    assert len(walked) == 2
    assert list(queryset.values_list("pk", flat=True)[1:3]) == walked
    if connection.vendor == "postgresql" and ordering[0] != "person__name":
        assert "interval" in captured[0]["sql"]


@pytest.mark.parametrize("zone", ["Asia/Jakarta", "UTC", "Asia/Jayapura"])
def test_api_list_dates_equal_the_serializer_in_each_time_zone(listed, zone, settings):
    from django.utils import timezone

    Registration.objects.filter(pk=listed[0].pk).update(
        submitted_at=datetime.datetime(2026, 3, 1, 17, 30, 5, 123456, tzinfo=datetime.UTC))
    registrations = Registration.objects.order_by("pk")
    with timezone.override(zone):
        expected = [dict(row) for row in RegistrationSerializer(registrations, many=True).data]
        assert registration_list_data(registrations.values(*REGISTRATION_LIST_VALUES)) == expected
    assert expected[0]["submitted_at"].endswith("Z" if zone == "UTC" else ":00")
