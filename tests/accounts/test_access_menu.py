"""One page table (accounts/access.py) drives the views' access checks and the menu (issue 16).

For every role: each menu entry opens with 200, each page of the table answers 200 exactly when the
table says the role may open it, and a page the role cannot open is absent from its menu.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.access import PAGES, role_of

pytestmark = pytest.mark.django_db

ROLE_KEYS = ("admin", "analyst", "province", "regency", "pensosmas", "unit", "no_role")


def menu_names(client) -> list[str]:
    return [item["url_name"] for item in client.get(reverse("dashboard")).context["menu"]]


@pytest.mark.parametrize("key", ROLE_KEYS)
def test_menu_offers_exactly_pages_that_open(client, users, key):
    user = users[key]
    client.force_login(user)
    menu = menu_names(client)
    role = role_of(user)
    for page in PAGES:
        response = client.get(reverse(page.url_name))
        opens = response.status_code == 200
        assert opens == page.opens_for(role), (key, page.url_name, response.status_code)
        if page.url_name in menu:
            assert opens, (key, page.url_name)
        if not opens:
            assert response.status_code == 403, (key, page.url_name, response.status_code)
            assert page.url_name not in menu, (key, page.url_name)
            assert "Anda tidak memiliki akses" in response.content.decode()
    assert menu == [page.url_name for page in PAGES if page.in_menu_for(role)]


def test_the_reported_pages_are_absent_from_the_menus_that_cannot_open_them(client, users):
    client.force_login(users["analyst"])
    assert "ppks:verification-queue" not in menu_names(client)
    assert client.get(reverse("ppks:verification-queue")).status_code == 403
    client.force_login(users["pensosmas"])
    menu = menu_names(client)
    for name in ("reports:list", "ppks:duplicates", "audit:list", "ppks:verification-queue"):
        assert name not in menu
        assert client.get(reverse(name)).status_code == 403
    client.force_login(users["regency"])
    assert {"ppks:verification-queue", "reports:list"} <= set(menu_names(client))


def test_a_forbidden_page_says_who_may_open_it_in_indonesian_within_the_layout(client, users):
    client.force_login(users["pensosmas"])
    response = client.get(reverse("reports:list"), HTTP_REFERER="http://testserver/ppks/")
    body = response.content.decode()
    assert response.status_code == 403
    assert "Forbidden" not in body
    assert "Halaman Laporan hanya untuk" in body
    assert "Dinas Sosial Kabupaten/Kota" in body
    assert 'class="mainnav"' in body  # the site layout with the user's own menu
    assert 'href="http://testserver/ppks/"' in body  # the way back
    assert 'href="{}"'.format(reverse("dashboard")) in body


def test_report_pages_name_the_village_of_a_profile(client, users):
    """Issue 16: a village profile is headed by the village's name, not "35.11.01.2001 ·"."""
    from reports.models import ReportJob

    job = ReportJob.objects.create(kind=ReportJob.Kind.VILLAGE_PROFILE, region_code="35.11.01.2001",
                                   requested_by=users["regency"])
    client.force_login(users["regency"])
    for url in (reverse("reports:detail", args=[job.pk]), reverse("reports:list")):
        body = client.get(url).content.decode()
        assert "Desa Sucolor, Kecamatan Maesan, Kabupaten Bondowoso" in body
        assert "35.11.01.2001 ·" not in body


def test_the_user_menu_names_the_working_area_instead_of_its_code(client, users):
    """People see names, never internal codes: "Wilayah: Kabupaten …", not "Wilayah: 35.11"."""
    from reports.selectors import region_label

    user = users["regency"]
    client.force_login(user)
    body = client.get(reverse("dashboard")).content.decode()
    assert "Wilayah: {}".format(region_label(user.region_code)) in body
    assert "Wilayah: {}<".format(user.region_code) not in body
    client.force_login(users["analyst"])
    assert "Wilayah:" not in client.get(reverse("dashboard")).content.decode()


def test_the_working_area_name_is_looked_up_once_per_session_and_again_when_the_area_changes(
        client, users):
    from reports.selectors import region_label

    user = users["regency"]
    client.force_login(user)
    client.get(reverse("accounts:password-change"))
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("accounts:password-change"))
    user.region_code = "35.12"
    user.save(update_fields=["region_code"])
    with CaptureQueriesContext(connection) as changed:
        body = client.get(reverse("accounts:password-change")).content.decode()
    assert "Wilayah: {}".format(region_label("35.12")) in body
    assert len(changed) > len(first)
