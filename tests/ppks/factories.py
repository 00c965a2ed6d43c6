"""Builders for PPKS test data, going through the services so the rules apply."""

import datetime

from ppks import services
from ppks.models import Category, Person, Registration
from villages.models import Village


def person_data(**overrides) -> dict:
    data = {
        "name": "Siti Aminah",
        "nik": "3511015203850003",
        "nik_status": Person.NikStatus.RECORDED,
        "kk_number": "3511010101200001",
        "sex": "P",
        "birth_place": "Bondowoso",
        "birth_date": datetime.date(1985, 3, 12),
        "village": Village.objects.get(code="35.11.01.2001"),
        "dusun": "Krajan",
        "rt": "1",
        "rw": "2",
        "street_address": "",
        "phone": "",
        "disability": "",
        "dtsen_decile": None,
        "dtsen_decile_as_of": None,
    }
    data.update(overrides)
    return data


def register(actor, *, category: str = "FM", submit: bool = False, person: Person | None = None, **overrides
             ) -> Registration:
    person = person or services.person_create(actor=actor, data=person_data(**overrides))
    return services.registration_create(
        actor=actor, person=person, category=Category.objects.get(code=category), needs="Bantuan pangan",
        assessed_on=datetime.date(2026, 11, 1), submit=submit,
    )
