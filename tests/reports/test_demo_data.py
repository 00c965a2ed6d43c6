import datetime

import pytest
from django.core.management import call_command

from ppks.models import Person, Registration
from ppks.nik import check_nik
from reports.demo_data import generate, generate_programme, generated_data_delete

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 22)


def test_generated_people_have_valid_niks_on_real_regions(regions):
    result = generate(persons=300, province="35", seed=7, today=TODAY)
    assert result.persons == 300
    assert result.registrations >= 300
    people = list(Person.objects.all())
    assert all(person.village_id.startswith("35.") for person in people)
    with_nik = [person for person in people if person.nik]
    assert len(with_nik) > 250
    for person in with_nik:
        check = check_nik(person.nik, birth_date=person.birth_date, sex=person.sex, today=TODAY)
        assert (check.errors, check.warnings) == ([], []), person.nik
        assert person.nik[:6] == person.village_id[:8].replace(".", "")
    assert all(person.nik_status != "ada" for person in people if not person.nik)
    statuses = set(Registration.objects.values_list("status", flat=True))
    assert statuses == {"draft", "submitted", "verified", "referred", "served", "closed", "rejected"}
    assert not Registration.objects.filter(status="referred", directorate__isnull=True).exists()


def test_same_seed_gives_the_same_people(regions):
    generate(persons=50, province="35", seed=11, today=TODAY)
    first = list(Person.objects.order_by("pk").values_list("name", "nik", "village_id", "birth_date"))
    registrations = Registration.objects.count()
    assert generated_data_delete() == (50, registrations)
    assert not Person.objects.exists()
    generate(persons=50, province="35", seed=11, today=TODAY)
    assert list(Person.objects.order_by("pk").values_list("name", "nik", "village_id", "birth_date")) == first


def test_command_replaces_earlier_generated_data(regions, capsys):
    call_command("generate_demo_data", "--persons", "40", "--province", "35", "--allow-production")
    call_command("generate_demo_data", "--persons", "40", "--province", "35", "--replace", "--allow-production")
    assert Person.objects.count() == 40
    assert "40 orang" in capsys.readouterr().out


def test_programme_villages_get_scored_baselines_and_approved_plans(regions):
    from actionplans.models import ActionPlan, ProgrammeStage
    from dimensions.models import Assessment

    assert generate_programme(villages=2, province="35", year=2026, seed=3) == 2
    assert Assessment.objects.filter(status="validated", overall_index__isnull=False).count() == 2
    assert ActionPlan.objects.filter(status="approved").count() == 2
    assert ProgrammeStage.objects.count() == 14
    assert all(plan.activities.count() == 3 for plan in ActionPlan.objects.all())


def test_generated_people_leave_no_change_history_and_the_triggers_come_back(regions, users):
    """Synthetic data is not history: PostgreSQL skips it, SQLite's rows go with the data; real writes still record."""
    from django.db import connection

    from ppks.models import PersonHistory
    from tests.ppks.factories import register

    generate(persons=30, province="35", seed=5, today=TODAY)
    if connection.vendor == "postgresql":
        assert not PersonHistory.objects.exists()
    generated_data_delete()
    assert not PersonHistory.objects.exists()
    registration = register(users["pensosmas"])
    assert PersonHistory.objects.filter(person=registration.person, action="insert").count() == 2


def test_command_refuses_to_run_outside_development(regions, settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="hanya untuk pengembangan"):
        call_command("generate_demo_data", "--persons", "5", "--province", "35")
    assert not Person.objects.exists()
