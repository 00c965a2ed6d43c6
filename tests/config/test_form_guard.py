"""One-time form tokens: a state-changing form sent twice does its work once (config/form_guard.py)."""

import re
import uuid
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import FormSubmission
from ppks.models import Person, Registration
from tests.concurrency import at_once, postgresql_only
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.django_db

FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)


def test_every_state_changing_form_carries_a_token():
    """Every POST form in the templates has {% form_token %}, unless marked data-repeatable (sign-in, search)."""
    missing = []
    for path in sorted(Path(REPO_ROOT, "templates").rglob("*.html")):
        for form in FORM.findall(path.read_text()):
            opening = form.split(">", 1)[0].lower()
            if 'method="post"' not in opening or "data-repeatable" in opening:
                continue
            if "{% form_token %}" not in form:
                missing.append("{}: {}".format(path.relative_to(REPO_ROOT), opening[:80]))
    assert missing == []


def registration_form(token: str, **overrides) -> dict:
    data = {
        "form_token": token, "name": "Sri Wahyuni", "nik": "3511016107900002", "nik_status": "ada",
        "kk_number": "", "sex": "P", "birth_place": "", "birth_date": "1990-07-21", "village": "35.11.01.2001",
        "dusun": "", "rt": "", "rw": "", "street_address": "", "phone": "", "disability": "",
        "category": "FM", "needs": "", "assessed_on": "2026-11-01", "submit_now": "on",
    }
    data.update(overrides)
    return data


def test_a_resent_registration_returns_the_first_result(client, users):
    client.force_login(users["pensosmas"])
    token = str(uuid.uuid4())
    first = client.post(reverse("ppks:register"), registration_form(token))
    assert first.status_code == 302
    again = client.post(reverse("ppks:register"), registration_form(token), follow=True)
    assert again.redirect_chain[0][0] == first.url
    page = again.content.decode()
    assert "Formulir ini sudah dikirim sebelumnya" in page
    assert "NIK ini sudah terdaftar" not in page
    assert Person.objects.count() == 1
    assert Registration.objects.count() == 1


def test_a_form_shown_again_with_errors_keeps_the_token_usable(client, users):
    client.force_login(users["pensosmas"])
    token = str(uuid.uuid4())
    invalid = client.post(reverse("ppks:register"), registration_form(token, name=""))
    assert invalid.status_code == 200
    assert not FormSubmission.objects.filter(token=token).exists()
    assert client.post(reverse("ppks:register"), registration_form(token)).status_code == 302
    assert Person.objects.count() == 1


def test_another_users_token_is_refused_in_the_site_layout(client, users):
    token = str(uuid.uuid4())
    client.force_login(users["pensosmas"])
    client.post(reverse("ppks:register"), registration_form(token))
    client.force_login(users["regency"])
    response = client.post(reverse("ppks:register"), registration_form(token, nik="3511011006800001"))
    assert response.status_code == 409
    assert "Formulir ini sudah pernah dikirim" in response.content.decode()
    assert 'class="mainnav"' in response.content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_copies_at_the_same_moment_register_once(users):
    """A double click on PostgreSQL: two requests with one token, at once; one person, both answers redirect."""
    postgresql_only()
    token = str(uuid.uuid4())
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(users["pensosmas"])
    answers = at_once(*(lambda client=client: client.post(reverse("ppks:register"), registration_form(token))
                        for client in clients))
    assert sorted(response.status_code for response in answers) == [302, 302]
    assert len({response.url for response in answers}) == 1
    assert Person.objects.count() == 1
    assert Registration.objects.count() == 1
