"""``next`` and back links stay on this site (issue 15, item 12): a crafted link cannot send a signed-in
officer to a look-alike page after a sign-in, a verification or a repeated form."""

import uuid

import pytest
from django.urls import reverse

from tests.config.test_form_guard import registration_form
from tests.ppks.factories import register

pytestmark = pytest.mark.django_db

ELSEWHERE = ["https://evil.example/ppks/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]


@pytest.mark.parametrize("target", ELSEWHERE)
def test_a_transition_goes_back_to_the_registration_not_elsewhere(client, users, target):
    registration = register(users["pensosmas"], submit=True)
    client.force_login(users["regency"])
    response = client.post(reverse("ppks:registration-transition", args=[registration.pk, "verify"]),
                           {"next": target})
    assert response.status_code == 302
    assert response.url == registration.get_absolute_url()


def test_a_transition_follows_a_next_on_this_site(client, users):
    registration = register(users["pensosmas"], submit=True)
    client.force_login(users["regency"])
    response = client.post(reverse("ppks:registration-transition", args=[registration.pk, "verify"]),
                           {"next": reverse("ppks:verification-queue")})
    assert response.url == reverse("ppks:verification-queue")


@pytest.mark.parametrize("target", ELSEWHERE)
def test_sign_in_ignores_a_next_on_another_site(client, users, target):
    from tests.accounts.test_mfa import PASSWORD

    response = client.post(reverse("accounts:login") + "?next=" + target,
                           {"username": "bondowoso", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("dashboard")


def test_a_repeated_form_offers_a_back_link_only_to_this_site(client, users):
    token = str(uuid.uuid4())
    client.force_login(users["pensosmas"])
    client.post(reverse("ppks:register"), registration_form(token))
    client.force_login(users["regency"])
    outside = client.post(reverse("ppks:register"), registration_form(token), HTTP_REFERER="https://evil.example/")
    assert outside.status_code == 409
    assert "evil.example" not in outside.content.decode()
    inside = client.post(reverse("ppks:register"), registration_form(token), HTTP_REFERER="http://testserver/ppks/")
    assert 'href="http://testserver/ppks/"' in inside.content.decode()
