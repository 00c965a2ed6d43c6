"""Rate limits: the API throttles (user, anonymous, scoped) and the HTML views that start expensive work."""

import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse

from config.env import parse_rate, rate_limits
from config.ratelimit import retry_message
from tests.ppks.factories import register

pytestmark = pytest.mark.django_db

THROTTLED_START = "Terlalu banyak permintaan untuk tindakan ini. Coba lagi dalam "


@pytest.fixture
def limits(settings):
    """Set some scopes to tiny rates for one test: ``limits(exports="2/hour")``."""

    def set_limits(**rates):
        settings.SIDBS_RATE_LIMITS = {**settings.SIDBS_RATE_LIMITS, **rates}

    return set_limits


def assert_throttled_json(response, unit="menit"):
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    detail = response.json()["detail"]
    assert detail.startswith(THROTTLED_START), detail
    assert detail.endswith(" {}.".format(unit)), detail


# API ---------------------------------------------------------------------------------------------------------------


def test_api_user_rate_answers_429_in_indonesian_after_the_limit(api_client, users, limits):
    limits(user="3/minute")
    api_client.force_authenticate(users["regency"])
    assert [api_client.get("/api/v1/regions/").status_code for _ in range(3)] == [200, 200, 200]
    response = api_client.get("/api/v1/villages/")
    assert_throttled_json(response, unit="detik")
    assert int(response["Retry-After"]) <= 60
    api_client.force_authenticate(users["province"])
    assert api_client.get("/api/v1/regions/").status_code == 200, "each user has their own count"


def test_nik_reveal_has_its_own_scope(api_client, users, limits):
    limits(nik="2/hour")
    person = register(users["pensosmas"]).person
    api_client.force_authenticate(users["pensosmas"])
    url = "/api/v1/persons/{}/reveal-nik/".format(person.pk)
    assert [api_client.post(url).status_code for _ in range(2)] == [200, 200]
    assert_throttled_json(api_client.post(url))
    assert api_client.get("/api/v1/persons/{}/".format(person.pk)).status_code == 200, "other calls still pass"


def test_api_nik_search_has_its_own_scope(api_client, users, limits):
    limits(nik_search="2/hour")
    register(users["pensosmas"])
    api_client.force_authenticate(users["regency"])
    url = "/api/v1/registrations/search/"
    statuses = [api_client.post(url, {"nik": "3511015203850003"}, format="json").status_code for _ in range(2)]
    assert statuses == [200, 200]
    assert_throttled_json(api_client.post(url, {"nik": "3511015203850003"}, format="json"))
    assert api_client.get("/api/v1/registrations/").status_code == 200, "the list itself still answers"


def test_token_endpoint_is_limited_per_address(api_client, users, limits):
    limits(auth="2/minute")
    url = reverse("api-token")
    assert api_client.post(url, {"username": "analis", "password": "salah-sekali-123"}).status_code == 400
    assert api_client.post(url, {"username": "analis", "password": "rahasia-uji-123"}).status_code == 200
    response = api_client.post(url, {"username": "analis", "password": "rahasia-uji-123"})
    assert response.status_code == 429
    assert response.json()["detail"].startswith(THROTTLED_START)
    other_address = api_client.post(url, {"username": "analis", "password": "rahasia-uji-123"},
                                    REMOTE_ADDR="10.1.2.3")
    assert other_address.status_code == 200


def test_anonymous_api_rate(api_client, regions, limits):
    limits(anon="2/minute")
    assert [api_client.get("/api/schema/").status_code for _ in range(2)] == [200, 200]
    assert api_client.get("/api/schema/").status_code == 429


def test_off_lifts_a_limit(api_client, users, limits):
    limits(user=None)  # what SIDBS_THROTTLE_USER=off becomes
    api_client.force_authenticate(users["regency"])
    assert {api_client.get("/api/v1/regions/").status_code for _ in range(5)} == {200}


# HTML views --------------------------------------------------------------------------------------------------------


def test_export_view_is_limited_with_an_indonesian_page(client, users, limits):
    limits(exports="2/hour")
    client.force_login(users["regency"])
    url = reverse("ppks:export")
    assert [client.get(url, {"format": "csv"}).status_code for _ in range(2)] == [200, 200]
    response = client.get(url, {"format": "csv"})
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"]
    page = response.content.decode()
    assert "Terlalu banyak permintaan" in page
    assert THROTTLED_START in page
    as_json = client.get(url, {"format": "csv"}, HTTP_ACCEPT="application/json")
    assert_throttled_json(as_json)
    client.force_login(users["province"])
    assert client.get(url, {"format": "csv"}).status_code == 200


def test_page_search_counts_only_nik_lookups(client, users, limits):
    limits(nik_search="1/hour")
    client.force_login(users["regency"])
    url = reverse("ppks:search")
    assert client.post(url, {"q": "3511015203850003"}).status_code == 302
    assert client.post(url, {"q": "siti"}).status_code == 302, "a name search is not counted"
    response = client.post(url, {"q": "3511 0152 0385 0003"})
    assert response.status_code == 429
    assert THROTTLED_START in response.content.decode()


def test_audit_log_export_is_limited(client, users, limits):
    limits(exports="1/hour")
    client.force_login(users["admin"])
    url = reverse("audit:export")
    assert client.get(url).status_code == 200
    assert client.get(reverse("audit:list")).status_code == 200, "the viewer is not counted"
    assert client.get(url).status_code == 429


def test_import_form_counts_only_uploads(client, users, limits):
    limits(imports="1/hour")
    client.force_login(users["pensosmas"])
    url = reverse("ppks:import")
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 200  # the form with its errors; counted
    assert client.get(url).status_code == 200, "showing the form is not counted"
    assert client.post(url, {}).status_code == 429


def test_mapping_csv_is_limited_but_the_page_is_not(client, users, limits):
    limits(exports="1/hour")
    client.force_login(users["regency"])
    url = reverse("dimensions:mapping")
    assert client.get(url, {"format": "csv"}).status_code == 200
    assert client.get(url).status_code == 200
    assert client.get(url, {"format": "csv"}).status_code == 429


def test_answers_import_is_limited(client, users, limits):
    from dimensions import services
    from villages.models import Village

    limits(imports="1/hour")
    assessment = services.assessment_create(actor=users["pensosmas"], village=Village.objects.get(
        code="35.11.01.2001"), year=2026, phase="baseline")
    client.force_login(users["pensosmas"])
    url = reverse("dimensions:import", args=[assessment.pk])
    assert client.post(url, {}).status_code == 200
    assert client.post(url, {}).status_code == 429


def test_report_requests_share_the_reports_scope(client, users, limits):
    limits(reports="2/hour")
    client.force_login(users["regency"])
    assert client.post(reverse("reports:request"), {}).status_code == 200  # invalid form, still counted
    assert client.post(reverse("reports:village-profile", args=["35.11.01.2001"])).status_code == 302
    assert client.post(reverse("reports:request"), {}).status_code == 429
    assert client.post(reverse("reports:village-profile", args=["35.11.01.2001"])).status_code == 429
    assert client.get(reverse("reports:request")).status_code == 200, "the form itself stays reachable"


def test_public_verification_visits_are_limited_per_address(client, regions, limits):
    """Issue 15, item 12: the GET was not limited at all."""
    limits(verify_view="2/hour")
    url = reverse("reports:verify", args=[uuid.uuid4()])
    assert [client.get(url).status_code for _ in range(3)] == [404, 404, 429]
    assert client.get(url, REMOTE_ADDR="10.9.8.7").status_code == 404
    assert client.post(url).status_code == 404, "uploads have their own count"


def test_public_verification_upload_is_limited_per_address(client, regions, limits):
    limits(verify="1/hour")
    url = reverse("reports:verify", args=[uuid.uuid4()])
    assert client.post(url).status_code == 404
    assert client.post(url).status_code == 429
    assert client.post(url, REMOTE_ADDR="10.9.8.7").status_code == 404


# Rates and messages ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("rate", "parsed"), [
    ("10/hour", (10, 3600)), ("60/minute", (60, 60)), ("5/s", (5, 1)), ("1000/day", (1000, 86400)),
    (" 3 / min ", (3, 60)),
])
def test_parse_rate(rate, parsed):
    assert parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["", "10", "ten/hour", "0/hour", "-1/hour", "10/week", "10/hours/2"])
def test_bad_rates_are_refused_with_a_clear_message(rate):
    with pytest.raises(ImproperlyConfigured, match="Batas laju 'reports' tidak sah"):
        rate_limits({"reports": rate})


def test_rate_limits_keep_good_rates_and_off():
    assert rate_limits({"reports": " 10/hour ", "user": "OFF"}) == {"reports": "10/hour", "user": None}


@pytest.mark.parametrize(("wait", "ending"), [
    (0.2, "1 detik."), (59.1, "60 detik."), (90, "90 detik."), (91, "2 menit."), (3599, "60 menit."),
])
def test_retry_message(wait, ending):
    assert retry_message(wait) == THROTTLED_START + ending


def test_retry_message_without_a_wait():
    assert retry_message(None) == "Terlalu banyak permintaan untuk tindakan ini. Coba lagi nanti."


def test_unknown_scope_is_a_configuration_error(client, users):
    from config.ratelimit import rate_limited

    view = rate_limited("tidak-ada", methods=("GET",))(lambda request: None)
    request = RequestFactory().get("/")
    request.user = users["regency"]
    with pytest.raises(ImproperlyConfigured, match="tidak-ada"):
        view(request)


def test_rates_come_from_the_environment():
    from tests.config.test_settings import run_manage

    script = "from django.conf import settings as s; r = s.SIDBS_RATE_LIMITS; print(r['reports'], r['user'], r['nik'])"
    result = run_manage("shell", "--no-imports", "-c", script, env={
        "DJANGO_DEBUG": "1", "SIDBS_THROTTLE_REPORTS": "5/hour", "SIDBS_THROTTLE_USER": "off",
        "SIDBS_THROTTLE_NIK": "",
    })
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "5/hour None 60/hour"
    refused = run_manage("check", env={"DJANGO_DEBUG": "1", "SIDBS_THROTTLE_EXPORTS": "banyak"})
    assert refused.returncode != 0
    assert "Batas laju 'exports' tidak sah: 'banyak'" in refused.stderr


# Every path that shows a full NIK shares one limit (issue 15, item 4) --------------------------------------------


def test_every_nik_reveal_path_counts_against_one_limit(client, api_client, users, limits):
    """The reveal button, the correction form (a GET that shows the NIK) and the API draw on one budget."""
    limits(nik="3/hour")
    person = register(users["pensosmas"]).person
    client.force_login(users["regency"])
    api_client.force_authenticate(users["regency"])
    assert client.post(reverse("ppks:person-reveal-nik", args=[person.pk])).status_code == 200
    assert client.get(reverse("ppks:person-edit", args=[person.pk])).status_code == 200
    assert api_client.post("/api/v1/persons/{}/reveal-nik/".format(person.pk)).status_code == 200
    page = client.post(reverse("ppks:person-reveal-nik", args=[person.pk]))
    assert page.status_code == 429
    assert "3511015203850003" not in page.content.decode()
    assert THROTTLED_START in page.content.decode()
    form = client.get(reverse("ppks:person-edit", args=[person.pk]))
    assert form.status_code == 429
    assert "3511015203850003" not in form.content.decode()
    assert_throttled_json(api_client.post("/api/v1/persons/{}/reveal-nik/".format(person.pk)))
    from accounts.models import AuditEvent

    assert AuditEvent.objects.filter(action="ppks.person.nik_reveal").count() == 3
    client.force_login(users["province"])
    assert client.post(reverse("ppks:person-reveal-nik", args=[person.pk])).status_code == 200  # per user
