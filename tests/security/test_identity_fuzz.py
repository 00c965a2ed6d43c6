"""Property test (issue 16): Unicode digits and odd strings in every identity field, through every entry path.

NIK, No. KK, RT, RW and the village code are fed through the register form, the API and the import
validation. Whatever the input, no path answers 500 (the test client re-raises a server error) and no
path accepts a value that is not made of ASCII digits (and dots, for the village code).
"""

import re
import string
from contextlib import contextmanager

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ppks import imports
from ppks.models import Person

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=80, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
VALID = {"nik": "3511011505900001", "kk_number": "3511010101200002", "rt": "003", "rw": "001",
         "village": "35.11.01.2001"}
ASCII_FIELD = {"nik": re.compile(r"^[0-9]{16}$"), "kk_number": re.compile(r"^([0-9]{16})?$"),
               "rt": re.compile(r"^([0-9]{3})?$"), "rw": re.compile(r"^([0-9]{3})?$")}
ODD_CHARACTERS = "²³¹⁰٣٥١٠٠۳३৩๓３５０\u200b\u00a0\ufeff\u202e\u0660 .-+eE٫x\t"

# Digits of any script, and other numeric characters (superscripts, fractions, circled digits).
foreign_digit = st.characters(categories=["Nd", "No", "Nl"]).filter(lambda character: character not in string.digits)


def _swapped(valid: str) -> st.SearchStrategy[str]:
    """A valid value with one character replaced by a digit of another form."""
    return st.builds(lambda index, character: valid[:index] + character + valid[index + 1:],
                     st.integers(0, len(valid) - 1), foreign_digit)


def odd_value(field: str) -> st.SearchStrategy[str]:
    valid = VALID[field]
    return st.one_of(
        _swapped(valid),
        st.text(alphabet=st.sampled_from(list(string.digits + ODD_CHARACTERS)), max_size=len(valid) + 2),
        st.text(alphabet=foreign_digit, min_size=1, max_size=len(valid)),
        st.text(max_size=20).filter(lambda text: "\x00" not in text),
        st.just(valid),
    )


# One identity field odd at a time (the others valid), so that an accepted odd value would really be stored.
identity = st.sampled_from(sorted(VALID)).flatmap(
    lambda field: odd_value(field).map(lambda value: {**VALID, field: value}))


@contextmanager
def rolled_back():
    """Each example starts from the same data: what it stored is rolled back after the checks."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _stored_identities_are_ascii() -> None:
    for values in Person.objects.values("nik", "kk_number", "rt", "rw", "village_id"):
        for field, pattern in ASCII_FIELD.items():
            value = values[field] or ""
            if field == "nik" and not value:
                continue
            assert pattern.match(value), (field, value)
        assert re.match(r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$", values["village_id"]), values["village_id"]


@FUZZ
@given(values=identity)
def test_register_form_never_fails_and_never_stores_other_digits(client, users, values):
    from tests.ppks.test_views import register_form

    client.force_login(users["regency"])
    with rolled_back():
        response = client.post(reverse("ppks:register"), {**register_form(), **values, "confirmed": "1"})
        assert response.status_code in {200, 302}
        _stored_identities_are_ascii()


@FUZZ
@given(values=identity)
def test_api_never_fails_and_never_stores_other_digits(api_client, users, values):
    from tests.ppks.test_api import NEW_PERSON

    api_client.force_authenticate(users["regency"])
    with rolled_back():
        response = api_client.post("/api/v1/registrations/", {"person": {**NEW_PERSON, **values}, "category": "FM"},
                                   format="json")
        assert response.status_code in {201, 400, 403}, response.content
        _stored_identities_are_ascii()


@FUZZ
@given(values=identity)
def test_import_validation_never_fails_and_accepts_only_ascii(users, values):
    from tests.ppks.test_import import row

    cells = row(nik=values["nik"], no_kk=values["kk_number"], rt=values["rt"], rw=values["rw"],
                kode_desa=values["village"])
    table = imports.Table(header=list(imports.COLUMN_KEYS), rows=[(2, [cells[key] for key in imports.COLUMN_KEYS])])
    result = imports.validate_rows(table, user=users["regency"])
    for clean in result.rows:
        assert clean.nik is None or ASCII_FIELD["nik"].match(clean.nik)
        for field, value in (("kk_number", clean.kk_number), ("rt", clean.rt), ("rw", clean.rw)):
            assert ASCII_FIELD[field].match(value), (field, value)
        assert re.match(r"^[0-9.]+$", clean.village_id)
    assert len(result.rows) + len(result.error_lines) == 1
