import datetime

import pytest

from ppks import services as ppks_services
from tests.ppks.factories import register
from villages.models import Village

PEOPLE = (
    # name, nik, village, category
    ("Siti Aminah", "3511015203850003", "35.11.01.2001", "FM"),
    ("Budi Santoso", "3511011006800001", "35.11.01.2002", "FM"),
    ("Ahmad Dahlan", "3511021712700005", "35.11.02.2001", "PRSE"),
    ("Wati Lestari", "3511024408800004", "35.11.02.1001", "FM"),
    ("Orang Situbondo", "3512011203850007", "35.12.01.2001", "FM"),
)


@pytest.fixture
def verified(users):
    """Five verified registrations: four in Kab. Bondowoso (two kecamatan), one in Situbondo."""
    registrations = []
    for name, nik, village, category in PEOPLE:
        actor = users["other_regency"] if village.startswith("35.12") else users["regency"]
        sex = "P" if int(nik[6:8]) > 40 else "L"
        registration = register(actor, category=category, nik=nik, name=name, sex=sex, birth_date=None,
                                village=Village.objects.get(code=village), submit=True)
        registrations.append(ppks_services.registration_transition(
            registration=registration, action="verify", actor=actor))
    return registrations


@pytest.fixture
def today():
    return datetime.date.today()
