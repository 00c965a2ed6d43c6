import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from ppks.models import Person, Registration
from ppks.nik import check_nik
from reports.demo_data import generate, generate_programme, generated_data_delete
from villages.models import Village

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


def test_programme_villages_get_scored_baselines_and_plans_in_the_past(regions):
    from actionplans.models import ActionPlan, ProgrammeStage, StimulusTranche
    from dimensions.models import Assessment
    from tests.conftest import REGION_LINES
    from villages.models import Cohort, Village
    from villages.services import regions_import

    regions_import(lines=[*REGION_LINES, "35.11.01.2003,Desa Uji Satu", "35.11.01.2004,Desa Uji Dua"])
    assert generate_programme(villages=6, province="35", year=2026, seed=3, today=TODAY) == 6
    assert Assessment.objects.filter(phase="baseline", status="validated", overall_index__isnull=False).count() == 6
    assert list(ActionPlan.objects.values_list("status", flat=True).order_by("status")) == [
        "approved"] * 5 + ["submitted"]
    assert ProgrammeStage.objects.count() == 42
    assert all(plan.activities.count() == 3 for plan in ActionPlan.objects.all())
    from actionplans.lifecycle import phases_for

    codes = Village.objects.filter(lokus_years__year=2026).values_list("code", flat=True)
    phases = sorted(phase.effective for phase in phases_for(codes).values())
    assert phases == ["act", "act", "act", "evaluasi", "mandiri", "think"]  # PROGRESS_PATTERN, derived
    assert not StimulusTranche.objects.filter(received_on__gt=TODAY).exists()
    assert Cohort.objects.get().memberships.count() == 6


def test_programme_of_the_current_year_records_only_what_has_happened(regions):
    """Early in the year the cycle has barely begun: nothing is dated after today."""
    from actionplans.models import ActionPlan, StimulusTranche
    from reports.consistency import run_checks

    early = datetime.date(2026, 2, 1)
    generate_programme(villages=3, province="35", year=2026, seed=3, today=early)
    assert not ActionPlan.objects.filter(status="approved").exists()  # approvals are due on 20 February
    assert not StimulusTranche.objects.exists()
    assert all(result.count == 0 for result in run_checks(today=early)), [
        result.problems for result in run_checks(today=early)]


def test_generated_registrations_meet_their_category_criteria(regions):
    """Issue 16: 0% of generated registrations get a warning from the rule every entry path applies."""
    from ppks.models import Registration
    from ppks.services import registration_warnings

    generate(persons=2000, province="35", seed=17, today=TODAY)
    checked, violations, disability = 0, [], 0
    for registration in Registration.objects.select_related("category", "person").exclude(
            person__birth_date=None):
        category = registration.category
        warnings = registration_warnings(person=registration.person, category=category, on=registration.assessed_on)
        if warnings:
            violations.append((category.code, warnings))
        assert registration.person.birth_date <= registration.assessed_on <= TODAY
        checked += category.min_age is not None or category.max_age is not None
        disability += category.code in {"PD", "ADK"}
    assert violations == []
    assert checked > 500
    assert disability > 0


def test_seeded_demo_registrations_meet_their_category_criteria(regions):
    from django.core.management import call_command

    from ppks.models import Registration
    from ppks.services import registration_warnings

    call_command("seed_demo", "--allow-production", verbosity=0)
    call_command("seed_demo_ppks", "--allow-production", verbosity=0)
    registrations = list(Registration.objects.select_related("category", "person"))
    assert registrations
    assert [registration for registration in registrations if registration_warnings(
        person=registration.person, category=registration.category, on=registration.assessed_on)] == []


def test_generated_people_leave_no_change_history_and_the_triggers_come_back(regions, users):
    """Synthetic data is not history: PostgreSQL skips it, SQLite's rows go with the data; real writes still record."""
    from django.db import connection

    from ppks.models import PersonHistory
    from tests.ppks.factories import register

    generate(persons=30, province="35", seed=5, today=TODAY)
    if connection.vendor == "postgresql":
        assert not PersonHistory.objects.exists()
    else:  # one insert row per person and registration, with what was stored (the generated created_at)
        assert PersonHistory.objects.filter(action="insert").count() == 30 + Registration.objects.count()
        for registration in Registration.objects.all():
            entry = PersonHistory.objects.get(table_name="ppks_registration", record_id=registration.pk)
            stored = registration.created_at.astimezone(datetime.UTC).replace(tzinfo=None)
            assert entry.changes["created_at"]["new"].startswith(stored.isoformat(sep=" ", timespec="seconds"))
    generated_data_delete()
    assert not PersonHistory.objects.exists()
    registration = register(users["pensosmas"])
    assert PersonHistory.objects.filter(person=registration.person, action="insert").count() == 2


def test_generated_dates_are_stored_as_generated_on_every_database(regions):
    """Registrations are dated over the last two years and services on the day they were given, on SQLite as on
    PostgreSQL (``bulk_create`` on SQLite used to overwrite the auto_now_add dates with the moment of writing)."""
    from django.utils import timezone

    from ppks.models import ServiceRecord

    started = timezone.now()
    generate(persons=300, province="35", seed=5, today=TODAY)
    registrations = list(Registration.objects.all())
    assert min(registration.created_at for registration in registrations) < started - datetime.timedelta(days=300)
    for registration in registrations:
        assert registration.updated_at == registration.created_at
        assert registration.created_at <= (registration.submitted_at or registration.created_at) <= started
    services = list(ServiceRecord.objects.select_related("referral"))
    assert services
    for service in services:
        assert service.recorded_at == service.referral.answered_at
        assert service.service_date == timezone.localdate(service.recorded_at)


def test_command_refuses_to_run_outside_development(regions, settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="hanya untuk pengembangan"):
        call_command("generate_demo_data", "--persons", "5", "--province", "35")
    assert not Person.objects.exists()


def test_make_run_demo_data_passes_the_consistency_check(regions, settings, capsys):
    """What ``make run`` seeds (and generate_demo_data adds) obeys the rules; the check says so, exit code 0."""
    from django.db import connection

    from actionplans.lifecycle import phase_of
    from actionplans.models import ActionPlan, StageChangeRequest, StimulusTranche
    from config.demo import demo_year

    settings.DEBUG = True
    for command in ("seed_demo", "seed_demo_ppks", "seed_demo_assessments", "seed_demo_plans"):
        call_command(command)
    assert phase_of("35.11.02.2001").derived == "penjajagan"
    if connection.vendor == "postgresql":
        # make run commits after each command; inside this test's transaction the seeds' deferred foreign-key
        # checks are still pending, and the generator's ALTER TABLE (history triggers off) needs them done.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("generate_demo_data", "--persons", "400", "--province", "35", "--programme-villages", "6")
    capsys.readouterr()
    call_command("check_data_consistency")
    assert "Data konsisten dengan aturan program." in capsys.readouterr().out
    year = demo_year()
    assert (phase_of("35.11.01.2001").derived, phase_of("35.11.01.2002").derived) == ("act", "look")
    plan = ActionPlan.objects.get(village_id="35.11.01.2001", year=year)
    assert all(tranche.received_on >= plan.approved_at.date() for tranche in StimulusTranche.objects.filter(
        village_id="35.11.01.2001"))
    assert StageChangeRequest.objects.get().status == "pending"
    # Seeding again adds nothing.
    for command in ("seed_demo", "seed_demo_ppks", "seed_demo_assessments", "seed_demo_plans"):
        call_command(command)
    assert ActionPlan.objects.filter(village_id="35.11.01.2001").count() == 1


def test_the_consistency_check_finds_what_slipped_around_the_services(regions, users, capsys):
    """Rows written around the services (raw updates, the admin) are named, and the command exits with an error."""
    from django.core.management.base import CommandError

    from actionplans import services as plan_services
    from actionplans.models import Spending, StimulusTranche
    from dimensions import services as dimension_services
    from ppks.models import Registration
    from tests.actionplans.conftest import activity_data, moment, receive_tranche
    from tests.dimensions.conftest import example_answers
    from tests.ppks.factories import register

    village = Village.objects.get(code="35.11.01.2001")
    baseline = dimension_services.assessment_create(actor=users["pensosmas"], village=village, year=2026,
                                                    phase="baseline")
    dimension_services.answers_replace(assessment=baseline, actor=users["pensosmas"], rows=[
        {"name": "A", "institution": "PKK", "answers": example_answers("r1")}])
    baseline = dimension_services.assessment_submit(assessment=baseline, actor=users["pensosmas"],
                                                    at=moment(2026, 1, 10))
    dimension_services.assessment_validate(assessment=baseline, actor=users["regency"], at=moment(2026, 1, 15))
    plan = plan_services.plan_create(village=village, year=2026, actor=users["pensosmas"])
    plan_services.activity_save(plan=plan, actor=users["pensosmas"], data=activity_data(plan))
    plan_services.plan_submit(plan=plan, actor=users["pensosmas"])
    plan = plan_services.plan_review(plan=plan, actor=users["regency"], approve=True, at=moment(2026, 2, 1))
    tranche = receive_tranche(plan, users["regency"])
    spending = plan_services.spending_record(activity=plan.activities.get(), actor=users["pensosmas"],
                                             amount=Decimal(1000), spent_on=datetime.date(2026, 3, 1),
                                             description="Konsumsi")
    child = register(users["pensosmas"], category="AT", name="Anak Uji", nik="3511011006200001", sex="L",
                     birth_date=datetime.date(2020, 6, 10), kk_number="")
    call_command("check_data_consistency")
    StimulusTranche.objects.filter(pk=tranche.pk).update(received_on=datetime.date(2099, 6, 1))
    Spending.objects.filter(pk=spending.pk).update(spent_on=datetime.date(2026, 1, 5))
    Registration.objects.filter(pk=child.pk).update(assessed_on=datetime.date(2024, 6, 1))  # aged 3 < 6 for AT
    capsys.readouterr()
    with pytest.raises(CommandError, match="3 masalah konsistensi data ditemukan"):
        call_command("check_data_consistency")
    output = capsys.readouterr().out
    assert "Stimulan 35.11.01.2001 2026 tahap 1: diterima 2099-06-01 (masa depan)." in output
    assert "di luar masa rencana (2026-02-01 sampai 31-12-2026)" in output
    assert "Registrasi #{} (AT): usia 3 tahun pada 2024-06-01, di bawah 6.".format(child.pk) in output
    with pytest.raises(CommandError):
        call_command("check_data_consistency", "--region", "35.x")
    call_command("check_data_consistency", "--region", "35.12")  # the other kabupaten has no problem


def test_generated_statuses_are_explained_by_their_referrals(regions):
    """A registration's status follows its referrals: every generated referred, served or closed registration has
    the referral (and service) that gives that status, and nothing else has one."""
    from ppks.models import Referral, ServiceRecord
    from ppks.referral_services import registration_status_from_referrals

    generate(persons=300, province="35", seed=5, today=TODAY)
    followed = Registration.objects.filter(status__in=["referred", "served", "closed"])
    assert followed.exists()
    for registration in followed.prefetch_related("referrals__services"):
        referrals = list(registration.referrals.all())
        assert len(referrals) == 1, registration.status
        served = any(referral.services.all() for referral in referrals)
        assert registration_status_from_referrals(referrals, served) == registration.status
    assert not Referral.objects.exclude(registration__in=followed).exists()
    assert set(Referral.objects.values_list("state", flat=True)) == {"sent", "accepted", "in_service", "closed"}
    assert ServiceRecord.objects.count() == Registration.objects.filter(status__in=["served", "closed"]).count()
    counts = (Person.objects.count(), Registration.objects.count())
    assert generated_data_delete() == counts
    assert not Referral.objects.exists()
