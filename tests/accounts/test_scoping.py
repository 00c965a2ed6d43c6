"""The role scoping matrix: which villages and village-owned rows each role sees."""

import pytest

from accounts.scoping import can_see_region, scope_of, visible_to
from villages.models import District, Province, Regency, Village, VillageProfile

pytestmark = pytest.mark.django_db

ALL_VILLAGES = {
    "35.11.01.2001", "35.11.01.2002", "35.11.02.2001", "35.11.02.1001", "35.12.01.2001", "33.73.04.1001",
}


@pytest.mark.parametrize(
    ("user_key", "expected"),
    [
        ("admin", ALL_VILLAGES),
        ("analyst", ALL_VILLAGES),
        ("province", ALL_VILLAGES - {"33.73.04.1001"}),
        ("regency", {"35.11.01.2001", "35.11.01.2002", "35.11.02.2001", "35.11.02.1001"}),
        ("other_regency", {"35.12.01.2001"}),
        ("pensosmas", {"35.11.01.2001"}),
        ("no_role", set()),
        ("regency_without_code", set()),
        ("pensosmas_without_villages", set()),
    ],
)
def test_villages_visible_per_role(users, user_key, expected):
    visible = set(visible_to(users[user_key], Village.objects.all()).values_list("code", flat=True))
    assert visible == expected


def test_village_owned_rows_are_scoped_by_village_code(users):
    # given
    for code in ("35.11.01.2001", "35.12.01.2001"):
        VillageProfile.objects.create(village_id=code)
    # when
    seen = {key: set(visible_to(users[key], VillageProfile.objects.all()).values_list("village_id", flat=True))
            for key in ("analyst", "regency", "other_regency", "pensosmas", "no_role")}
    # then
    assert seen == {
        "analyst": {"35.11.01.2001", "35.12.01.2001"},
        "regency": {"35.11.01.2001"},
        "other_regency": {"35.12.01.2001"},
        "pensosmas": {"35.11.01.2001"},
        "no_role": set(),
    }


def test_region_levels_keep_ancestors_for_browsing(users):
    regency_user = users["regency"]
    assert set(visible_to(regency_user, Province.objects.all()).values_list("code", flat=True)) == {"35"}
    assert set(visible_to(regency_user, Regency.objects.all()).values_list("code", flat=True)) == {"35.11"}
    assert set(visible_to(regency_user, District.objects.all()).values_list("code", flat=True)) == {
        "35.11.01", "35.11.02"
    }
    pensosmas = users["pensosmas"]
    assert set(visible_to(pensosmas, District.objects.all()).values_list("code", flat=True)) == {"35.11.01"}


def test_prefix_does_not_leak_into_a_longer_code(users, regions):
    """A kab/kota scope of 35.1 would be malformed; 35.11 must never match 35.110… or 35.1x."""
    regency_user = users["regency"]
    assert not scope_of(regency_user).covers("35.12.01.2001")
    assert scope_of(regency_user).covers("35.11.02.1001")
    assert scope_of(regency_user).covers("35.11")


def test_province_role_with_regency_code_sees_nothing(users):
    users["province"].region_code = "35.11"
    assert scope_of(users["province"]).is_empty
    assert not visible_to(users["province"], Village.objects.all()).exists()


def test_inactive_and_anonymous_users_see_nothing(users):
    from django.contrib.auth.models import AnonymousUser

    users["analyst"].is_active = False
    assert not visible_to(users["analyst"], Village.objects.all()).exists()
    assert not visible_to(AnonymousUser(), Village.objects.all()).exists()


@pytest.mark.parametrize(
    ("user_key", "code", "expected"),
    [
        ("regency", "35", True),
        ("regency", "35.11.01.2001", True),
        ("regency", "35.12", False),
        ("pensosmas", "35.11", True),
        ("pensosmas", "35.11.01.2002", False),
        ("no_role", "35", False),
    ],
)
def test_can_see_region(users, user_key, code, expected):
    assert can_see_region(users[user_key], code) is expected
