"""A small country for the map tests: shapes of Jawa Timur and Jawa Tengah, registrations, an assessment, a lokus."""

import datetime
import itertools

import pytest

from accounts.offices import office_of, signatories_for
from actionplans import services as plan_services
from dimensions import services as assessment_services
from maps.services import figures_refresh, shapes_load
from ppks import referral_services
from ppks import services as ppks_services
from ppks.models import Person
from tests.dimensions.conftest import example_answers
from tests.ppks.factories import register
from villages.models import Village
from villages.services import village_profile_update

SERIAL = itertools.count(1)

# Village: (status, category) of each registration put there.
REGISTRATIONS = {
    "35.11.01.2001": [("submitted", "FM"), ("submitted", "FM"), ("submitted", "LUT"), ("verified", "FM"),
                      ("referred", "FM"), ("draft", "FM")],
    "35.11.01.2002": [("submitted", "AT"), ("submitted", "FM")],
    "35.11.02.2001": [("verified", "LUT"), ("served", "FM")],
    "35.12.01.2001": [("submitted", "FM"), ("submitted", "FM")],
    "33.73.04.1001": [("submitted", "PRSE")],
}
STEPS = {"draft": [], "submitted": [], "verified": ["verify"], "referred": ["verify"], "served": ["verify"]}


@pytest.fixture
def shapes(regions):
    """The bundled boundaries of provinces 35 and 33 (kab/kota, kecamatan, village points)."""
    shapes_load(only=("35", "33"))


def put(users, village_code: str, status: str, category: str):
    """A registration of a new person (no NIK) in ``village_code`` moved to ``status`` through the services."""
    village = Village.objects.get(code=village_code)
    actor = users["admin"]
    number = next(SERIAL)
    registration = register(actor, category=category, submit=status != "draft", nik=None,
                            nik_status=Person.NikStatus.NONE_YET, kk_number="", village=village,
                            name="Warga Peta {}".format(number), birth_date=datetime.date(1960, 1, 1)
                            + datetime.timedelta(days=number))
    for action in STEPS[status]:
        registration = ppks_services.registration_transition(registration=registration, action=action, actor=actor)
    if status in {"referred", "served"}:  # a letter of Dinas Sosial Bondowoso; the Dayasos unit serves
        sender = users["regency"]
        batch = referral_services.referral_letter_create(actor=sender, request=referral_services.LetterRequest(
            region_code="35.11", directorate=registration.directorate, registration_ids=[registration.pk],
            signatory=signatories_for(office_of(sender)).first()))
        if status == "served":
            referral_services.referral_service_record(referral=batch.referrals.get(), actor=users["unit"],
                                                      service_type="bansos", service_date=datetime.date.today())
        registration.refresh_from_db()
    return registration


@pytest.fixture
def map_data(users, shapes):
    """The registrations of ``REGISTRATIONS``, a validated baseline in Sucolor, two lokus villages and an
    overdue stage in Sucolor; the figures are then counted in full."""
    return build_map_data(users)


def build_map_data(users):
    """The records behind ``map_data`` (also used by the browser journeys)."""
    for village_code, rows in REGISTRATIONS.items():
        for status, category in rows:
            put(users, village_code, status, category)
    sucolor = Village.objects.get(code="35.11.01.2001")
    assessment = assessment_services.assessment_create(actor=users["pensosmas"], village=sucolor, year=2025,
                                                       phase="baseline")
    assessment_services.answers_replace(assessment=assessment, actor=users["pensosmas"], rows=[
        {"name": "Ibu Siti", "institution": "PKK", "answers": example_answers("r1")},
        {"name": "Pak Darmo", "institution": "Karang Taruna", "answers": example_answers("r2")},
    ])
    assessment_services.assessment_submit(assessment=assessment, actor=users["pensosmas"])
    assessment_services.assessment_validate(assessment=assessment, actor=users["regency"])
    for code in ("35.11.01.2001", "35.11.02.2001"):
        village_profile_update(village=Village.objects.get(code=code), actor=users["admin"], notes="",
                               lokus_years=[2025, 2026])
    stage = plan_services.stages_initialise(village=sucolor, year=2026, actor=users["admin"])[0]
    plan_services.stage_update(stage=stage, actor=users["admin"], data={
        "planned_start": datetime.date(2026, 1, 1), "planned_end": datetime.date(2026, 2, 1)})
    figures_refresh(full=True, today=datetime.date(2026, 11, 30))
    return users
