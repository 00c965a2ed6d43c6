"""A NIK or No. KK never travels in a URL: no route captures one, lists and the API refuse one in the
query string, the page searches by POST + opaque token, the API by POST body, and logs mask them."""

import logging
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import AuditEvent
from config.log_filters import MaskNikFilter, mask_niks
from tests.ppks.factories import register
from villages.models import Village

pytestmark = pytest.mark.django_db

NIK = "3512010101150002"
KK_OF_SITI = "3511010101200001"
NIK_ISH = re.compile(r"nik|kk|ktp|identitas|nomor", re.IGNORECASE)


@pytest.fixture
def registry(users):
    return {
        "siti": register(users["pensosmas"], submit=True),
        "budi": register(users["other_regency"], category="AT", nik=NIK, kk_number="3512010101200009", name="Budi",
                         sex="L",
                         village=Village.objects.get(code="35.12.01.2001")),
    }


def walk(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


def test_no_url_pattern_captures_a_nik():
    routes = list(walk(get_resolver().url_patterns))
    assert len(routes) > 50
    offenders = []
    for route, pattern in routes:
        names = set(pattern.pattern.converters) if hasattr(pattern.pattern, "converters") else set(
            re.findall(r"\(\?P<(\w+)>", route))
        names |= set(re.findall(r"<(?:\w+:)?(\w+)>", route)) | set(re.findall(r"\(\?P<(\w+)>", route))
        offenders += ["{} ({})".format(route, name) for name in names if NIK_ISH.search(name)]
    assert offenders == []


def test_the_list_page_refuses_a_nik_in_the_query_string(client, users, registry):
    client.force_login(users["analyst"])
    response = client.get(reverse("ppks:list"), {"q": NIK})
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    assert "tidak boleh dikirim lewat alamat (URL)" in response.content.decode()
    spaced = client.get(reverse("ppks:list"), {"q": "3512 0101 0115 0002"})
    assert list(spaced.context["page"]) == []
    # names still work by GET
    names = client.get(reverse("ppks:list"), {"q": "budi"})
    assert [registration.person.name for registration in names.context["page"]] == ["Budi"]


def test_the_export_refuses_a_nik_in_the_query_string(client, users, registry):
    client.force_login(users["analyst"])
    response = client.get(reverse("ppks:export"), {"q": NIK, "format": "csv"})
    assert response.status_code == 400


def test_the_api_list_refuses_a_nik_and_points_to_the_post_endpoint(api_client, users, registry):
    api_client.force_authenticate(users["analyst"])
    response = api_client.get("/api/v1/registrations/", {"q": NIK})
    assert response.status_code == 400
    message = response.json()["q"][0]
    assert "POST /api/v1/registrations/search/" in message
    assert "NIK" in message


def test_the_page_search_posts_the_nik_and_the_url_carries_only_a_token(client, users, registry):
    client.force_login(users["analyst"])
    response = client.post(reverse("ppks:search"), {"q": " 3512 0101 0115 0002 ", "status": "", "category": ""})
    assert response.status_code == 302
    assert NIK not in response.url
    assert "3512" not in response.url
    token = parse_qs(urlparse(response.url).query)["cari"][0]
    listing = client.get(response.url)
    assert [registration.person.name for registration in listing.context["page"]] == ["Budi"]
    content = listing.content.decode()
    assert "3512********0002" in content
    assert NIK not in content
    # every link the page builds (pagination, export) carries the token, never the NIK
    assert "cari={}".format(token) in content
    export = client.get(reverse("ppks:export"), {"cari": token, "format": "csv"})
    assert export.status_code == 200
    rows = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert len(rows) == 2
    assert AuditEvent.objects.get(action="ppks.registration.export").detail["nik_search"] == "3512********0002"


def test_a_family_number_finds_the_family(client, users, registry):
    client.force_login(users["analyst"])
    response = client.post(reverse("ppks:search"), {"q": KK_OF_SITI}, follow=True)
    assert [registration.person.name for registration in response.context["page"]] == ["Siti Aminah"]


def test_the_search_token_is_scoped_to_the_user_and_the_session(client, users, registry):
    client.force_login(users["regency"])
    url = client.post(reverse("ppks:search"), {"q": NIK}).url
    assert list(client.get(url).context["page"]) == []  # Budi lives in Situbondo: out of scope
    client.force_login(users["analyst"])  # a new session does not know the token
    stale = client.get(url, follow=True)
    assert "Pencarian NIK ini sudah tidak berlaku" in stale.content.decode()


def test_names_and_filters_still_become_a_get_url(client, users, registry):
    client.force_login(users["analyst"])
    response = client.post(reverse("ppks:search"), {"q": "budi", "category": "AT", "status": ""})
    assert response.status_code == 302
    assert parse_qs(urlparse(response.url).query) == {"q": ["budi"], "category": ["AT"]}


def test_a_malformed_nik_is_not_put_in_the_url(client, users, registry):
    client.force_login(users["analyst"])
    response = client.post(reverse("ppks:search"), {"q": "35120101011500"}, follow=True)
    assert "16 digit angka" in response.content.decode()
    assert "35120101011500" not in response.redirect_chain[-1][0]


def test_the_list_page_search_form_posts(client, users):
    client.force_login(users["analyst"])
    content = client.get(reverse("ppks:list")).content.decode()
    assert 'method="post" action="{}"'.format(reverse("ppks:search")) in content


def test_the_api_searches_by_nik_in_the_body(api_client, users, registry):
    api_client.force_authenticate(users["analyst"])
    response = api_client.post("/api/v1/registrations/search/", {"nik": NIK}, format="json")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [result["person"]["name"] for result in results] == ["Budi"]
    assert results[0]["person"]["nik_masked"] == "3512********0002"
    filtered = api_client.post("/api/v1/registrations/search/?status=verified", {"nik": NIK}, format="json")
    assert filtered.json()["results"] == []
    bad = api_client.post("/api/v1/registrations/search/", {"nik": "3512"}, format="json")
    assert bad.status_code == 400
    assert bad.json() == {"nik": ["NIK atau No. KK harus 16 digit angka."]}
    api_client.force_authenticate(users["regency"])
    scoped = api_client.post("/api/v1/registrations/search/", {"nik": NIK}, format="json")
    assert scoped.json()["results"] == []


def test_logs_mask_niks_in_request_lines(caplog):
    assert mask_niks('"GET /ppks/?q=3512010101150002 HTTP/1.1" 200') == '"GET /ppks/?q=3512********0002 HTTP/1.1" 200'
    assert mask_niks("q=3512+0101+0115+0002&page=2") == "q=3512********0002&page=2"
    assert mask_niks("registrasi/12345/ 2026-11-01") == "registrasi/12345/ 2026-11-01"
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"%s" %s %s',
                               ("GET /api/v1/registrations/?q={} HTTP/1.1".format(NIK), "400", "120"), None)
    assert MaskNikFilter().filter(record)
    assert NIK not in record.getMessage()
    assert "3512********0002" in record.getMessage()


def test_server_logs_are_configured_to_mask_or_omit_query_strings():
    handlers = settings.LOGGING["handlers"]
    assert handlers["console"]["filters"][0] == "mask_nik"
    assert settings.LOGGING["loggers"]["django.server"]["handlers"] == ["console"]
    gunicorn = Path(settings.BASE_DIR, "gunicorn.conf.py").read_text()
    access_format = re.search(r"access_log_format = '(.*)'", gunicorn).group(1)
    for with_query in ("%(r)s", "%(q)s", "%(f)s"):  # request line, query string, referrer
        assert with_query not in access_format
    assert "%(U)s" in access_format


@pytest.mark.parametrize("line", [
    "GET /ppks/ 200 in 1.0833123456789754s",      # a duration's decimals
    "elapsed=1,0833123456789754",                  # a decimal comma
    "3511015203850003.0833s",                      # digits before a decimal point
    "order 35110152038500031",                     # 17 digits: not a NIK
])
def test_log_masking_leaves_digits_that_do_not_stand_alone(line):
    assert mask_niks(line) == line


@pytest.mark.parametrize(("line", "masked"), [
    ("nik=3511015203850003.", "nik=3511********0003."),
    ("next=%2Fppks%2F%3Fq%3D3511015203850003", "next=%2Fppks%2F%3Fq%3D3511********0003"),
    ("NIK: 3511-0152-0385-0003, KK 3511 0152 0385 0004", "NIK: 3511********0003, KK 3511********0004"),
])
def test_log_masking_still_masks_numbers_that_stand_alone(line, masked):
    assert mask_niks(line) == masked
