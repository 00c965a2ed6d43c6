"""Synthetic, reproducible national-scale data: people with valid NIKs on real region codes and
registrations across categories and statuses, written as plain rows by ``ppks.bulk_rows`` (COPY on
PostgreSQL, ``executemany`` elsewhere) with the dates generated for them, ``created_at`` included.

A registration's status follows its referrals (``ppks.referral_services``), so every generated
registration that is referred, served or closed gets the referral that explains it, addressed to its
Ditjen's own unit: waiting or accepted (referred), in service with a service record (served), or
closed as completed (closed).

Everything generated belongs to the user ``demo-generator`` so it can be replaced in one go.
Names are drawn from common Indonesian given names; NIKs encode the person's kecamatan (first
registration), birth date (+40 for women) and a serial that keeps them unique.
"""

import datetime
import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from ppks import bulk_rows, history
from ppks.models import Category, Directorate, Person, Referral, Registration, ServiceRecord, ServiceUnit, age_on
from ppks.names import normalise_name
from ppks.services import DISABILITY_CATEGORIES, category_criteria_warnings
from villages.models import Village

GENERATOR_USERNAME = "demo-generator"
FIRST_NAMES_MALE = (
    "Agus", "Budi", "Dedi", "Eko", "Fajar", "Hadi", "Joko", "Rudi", "Slamet", "Sutrisno", "Wahyu", "Yusuf",
    "Ahmad", "Muhammad", "Bambang", "Hendra", "Rizki", "Imam", "Sugeng", "Teguh", "Arif", "Dimas", "Heru", "Nur",
)
FIRST_NAMES_FEMALE = (
    "Siti", "Sri", "Dewi", "Rina", "Wati", "Lestari", "Nur", "Yuni", "Ani", "Endang", "Fitri", "Indah",
    "Kartini", "Lina", "Maria", "Nining", "Puji", "Ratna", "Suminah", "Tuminah", "Wulan", "Yanti", "Aminah", "Rahayu",
)
FAMILY_NAMES = (
    "Santoso", "Wijaya", "Hartono", "Saputra", "Lestari", "Susanti", "Rahmawati", "Hidayat", "Kurniawan",
    "Setiawan", "Pratama", "Wibowo", "Nugroho", "Purnomo", "Suryani", "Handayani", "Maulana", "Firmansyah",
    "Ramadhan", "Hasanah", "Fauzi", "Syahputra", "Utami", "Permata", "Darmawan", "Prasetyo", "Sulistyo",
)
DUSUN = ("Krajan", "Kidul", "Lor", "Wetan", "Kulon", "Tengah", "Sumber", "Karang", "Tegal", "Rejo")
STATUS_WEIGHTS = (
    ("draft", 5), ("submitted", 15), ("verified", 25), ("referred", 25), ("served", 12), ("closed", 10),
    ("rejected", 8),
)
DISABILITY_TYPES = tuple(value for value in Person.Disability.values if value)
NEEDS = ("Bantuan pangan", "Pendampingan sosial", "Alat bantu disabilitas", "Perbaikan rumah", "Modal usaha",
         "Layanan kesehatan", "Akta kelahiran dan adminduk", "Pengasuhan anak")


@dataclass
class GenerationResult:
    persons: int
    registrations: int
    villages: int
    seconds: float


def _generator_user() -> User:
    user, _created = User.objects.get_or_create(
        username=GENERATOR_USERNAME, defaults={"first_name": "Generator", "last_name": "Data Demo", "is_active": False}
    )
    return user


def generated_data_delete() -> tuple[int, int]:
    """Remove everything a previous run generated (registrations first, then people), with its history."""
    user = User.objects.filter(username=GENERATOR_USERNAME).first()
    if user is None:
        return 0, 0
    with history.suspended(), history.history_actor(user), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM ppks_personhistory WHERE person_id IN (SELECT id FROM ppks_person WHERE created_by_id = %s)",
            [user.pk])
        generated_referrals = "SELECT id FROM ppks_referral WHERE created_by_id = %s"
        cursor.execute("DELETE FROM ppks_servicerecord WHERE referral_id IN ({})".format(generated_referrals),
                       [user.pk])
        cursor.execute("DELETE FROM ppks_referralevent WHERE referral_id IN ({})".format(generated_referrals),
                       [user.pk])
        cursor.execute("DELETE FROM ppks_referral WHERE created_by_id = %s", [user.pk])
        cursor.execute(
            "DELETE FROM ppks_registrationevent WHERE registration_id IN "
            "(SELECT id FROM ppks_registration WHERE created_by_id = %s)", [user.pk])
        cursor.execute("DELETE FROM ppks_registration WHERE created_by_id = %s", [user.pk])
        registrations = cursor.rowcount
        cursor.execute(
            "DELETE FROM ppks_duplicatecandidate WHERE person_id IN "
            "(SELECT id FROM ppks_person WHERE created_by_id = %s) "
            "OR other_id IN (SELECT id FROM ppks_person WHERE created_by_id = %s)", [user.pk, user.pk])
        cursor.execute("DELETE FROM ppks_person WHERE created_by_id = %s", [user.pk])
        persons = cursor.rowcount
        cursor.execute("DELETE FROM ppks_personhistory WHERE actor_id = %s", [user.pk])
    return persons, registrations


def _categories_by_age() -> dict[str, list[Category]]:
    categories = list(Category.objects.current().prefetch_related("assignments__directorate"))
    groups = {"child": [], "adult": [], "elderly": []}
    for category in categories:
        if category.max_age is not None and category.max_age <= 18:
            groups["child"].append(category)
        elif category.min_age is not None and category.min_age >= 60:
            groups["elderly"].append(category)
        else:
            groups["adult"].append(category)
            if category.min_age is None and category.code in {"KBA", "KBS", "FM", "KTK"}:
                groups["elderly"].append(category)
                groups["child"].append(category)
    return groups


def _eligible(groups: dict[str, list[Category]]) -> dict[tuple[int, str], list[Category]]:
    """{(age, sex): categories of the person's age group whose criteria they meet}, for ages 0–100.

    "Meet" is the service rule every entry path applies (``services.category_criteria_warnings``): no
    warning for that age and sex. Disability categories get a disability type on the person (``generate``).
    """
    table = {}
    for age in range(101):
        group = "child" if age < 18 else "elderly" if age >= 60 else "adult"
        for sex in ("L", "P"):
            table[(age, sex)] = [category for category in groups[group]
                                 if not category_criteria_warnings(category=category, age=age, sex=sex)]
    return table


def generate(*, persons: int, province: str | None = None, seed: int = 2026, today: datetime.date | None = None,
             progress=None) -> GenerationResult:
    """Create ``persons`` people (and ~1.1 registrations each) in the villages of ``province`` (all if None)."""
    started = timezone.now()
    rng = random.Random(seed)
    today = today or timezone.localdate()
    user = _generator_user()
    villages = Village.objects.active()
    if province:
        villages = villages.filter(code__startswith=province + ".")
    village_codes = list(villages.order_by("code").values_list("code", flat=True))
    if not village_codes:
        raise ValueError("Tidak ada desa untuk kode provinsi {}; jalankan import_regions.".format(province))
    groups = _categories_by_age()
    eligible = _eligible(groups)
    directorates = {category.pk: category.directorate_on(today) for group in groups.values() for category in group}
    existing_niks = set(Person.objects.filter(nik__isnull=False).values_list("nik", flat=True))
    serials: Counter = Counter()
    statuses, weights = zip(*STATUS_WEIGHTS, strict=True)
    now = timezone.now()
    person_rows, registration_rows = [], []
    for index in range(persons):
        village = village_codes[rng.randrange(len(village_codes))]
        female = rng.random() < 0.52
        age = min(int(rng.expovariate(1 / 38)), 95)
        birth = today - datetime.timedelta(days=age * 365 + rng.randrange(365))
        first = rng.choice(FIRST_NAMES_FEMALE if female else FIRST_NAMES_MALE)
        name = "{} {}".format(first, rng.choice(FAMILY_NAMES))
        if rng.random() < 0.3:
            name = "{} {} {}".format(first, rng.choice(FIRST_NAMES_FEMALE if female else FIRST_NAMES_MALE),
                                     rng.choice(FAMILY_NAMES))
        nik = None
        if rng.random() > 0.06:
            district_digits = village[:8].replace(".", "")
            prefix = "{}{:02d}{:02d}{:02d}".format(district_digits, birth.day + (40 if female else 0), birth.month,
                                                  birth.year % 100)
            while True:
                serials[prefix] += 1
                candidate = "{}{:04d}".format(prefix, serials[prefix])
                if candidate not in existing_niks:
                    break
            nik = candidate
        # The assessment date comes first: categories are chosen by the age on that day (never before birth).
        created = now - datetime.timedelta(days=rng.randrange(min(720, (today - birth).days + 1)),
                                           minutes=rng.randrange(1440))
        assessed_on = min(max(timezone.localdate(created), birth), today)
        age_then = age_on(birth, assessed_on)
        candidates = eligible[(min(age_then, 100), "P" if female else "L")]
        chosen = rng.sample(candidates, min(len(candidates), 2 if rng.random() < 0.1 else 1))
        if age_then < 18 or age_then >= 60:
            chosen = chosen[:1]
        disability = rng.choice(DISABILITY_TYPES) if any(
            category.code in DISABILITY_CATEGORIES for category in chosen) else ""
        # Values in this order: the same seed draws the same random numbers for the same fields.
        person = {
            "nik": nik,
            "nik_status": "ada" if nik else rng.choice(("belum_punya", "dalam_proses", "tidak_diketahui")),
            "kk_number": "{}{:010d}".format(village[:8].replace(".", ""), rng.randrange(10**10))
            if rng.random() < 0.8 else "",
            "name": name, "name_key": normalise_name(name), "birth_place": "", "birth_date": birth,
            "sex": "P" if female else "L", "village_id": village, "dusun": rng.choice(DUSUN),
            "rt": "{:03d}".format(rng.randint(1, 15)), "rw": "{:03d}".format(rng.randint(1, 8)),
            "street_address": "", "phone": "", "disability": disability,
            "dtsen_decile": rng.choice((None, None, rng.randint(1, 10))),
            "created_at": now, "updated_at": now, "created_by_id": user.pk,
        }
        person_rows.append(person)
        for category in chosen:
            status = rng.choices(statuses, weights)[0]
            submitted = created + datetime.timedelta(days=1) if status != "draft" else None
            verified = submitted + datetime.timedelta(days=rng.randrange(1, 20)) if status in {
                "verified", "referred", "served", "closed"} else None
            referred = verified + datetime.timedelta(days=rng.randrange(1, 30)) if status in {
                "referred", "served", "closed"} else None
            served = referred + datetime.timedelta(days=rng.randrange(1, 60)) if status in {"served", "closed"} \
                else None
            closed = served + datetime.timedelta(days=rng.randrange(1, 60)) if status == "closed" else None
            # A workflow step is never later than now (the generator writes history, not plans).
            submitted, verified, referred, served, closed = (
                min(moment, now) if moment else None for moment in (submitted, verified, referred, served, closed))
            directorate = directorates.get(category.pk)
            registration_rows.append((person, {
                "category_id": category.pk, "village_id": village, "status": status, "needs": rng.choice(NEEDS),
                "assessed_on": assessed_on, "directorate_id": directorate.pk if directorate else None,
                "rejection_reason": "Data tidak sesuai kriteria" if status == "rejected" else "",
                "created_at": created, "updated_at": created, "submitted_at": submitted, "verified_at": verified,
                "referred_at": referred, "served_at": served, "closed_at": closed, "created_by_id": user.pk,
            }))
        if progress and index % 50_000 == 0:
            progress(index / persons / 2)
    with history.suspended(), history.history_actor(user):
        bulk_rows.insert_new(Person, person_rows)
        registrations = _registrations_of_people(registration_rows)
        bulk_rows.insert_new(Registration, registrations)
        _write_referrals(registrations, user=user, now=now, seed=seed)
    return GenerationResult(persons=len(person_rows), registrations=len(registration_rows),
                            villages=len(village_codes), seconds=(timezone.now() - started).total_seconds())


def _registrations_of_people(rows: list[tuple[dict, dict]]) -> list[dict]:
    """Registration rows, each pointing at its person (written first, so the person row holds its id)."""
    for person, registration in rows:
        registration["person_id"] = person["id"]
    return [registration for _person, registration in rows]


SERVICE_TYPES = {"rehsos": "luar_panti", "dayasos": "pemberdayaan", "linjamsos": "bansos"}


def _write_referrals(registrations: list[dict], *, user: User, now: datetime.datetime, seed: int) -> None:
    """The referral (and service) behind each referred, served or closed registration (see the module docstring)."""
    rng = random.Random(seed + 1)  # its own sequence, so the people and registrations stay as they were
    heads = dict(ServiceUnit.objects.filter(kind=ServiceUnit.Kind.DITJEN, parent=None, active=True)
                 .values_list("directorate_id", "pk"))
    codes = dict(Directorate.objects.values_list("pk", "code"))
    referrals, served_referrals = [], []
    for registration in registrations:
        status, directorate = registration["status"], registration["directorate_id"]
        referred, served, closed = registration["referred_at"], registration["served_at"], registration["closed_at"]
        if status not in {"referred", "served", "closed"} or directorate not in heads:
            continue
        state, answered = "sent", None
        if status == "referred" and rng.random() < 0.4:
            state, answered = "accepted", min(referred + datetime.timedelta(days=rng.randrange(1, 10)), now)
        elif status == "served":
            state, answered = "in_service", served
        elif status == "closed":
            state, answered = "closed", served
        referral = {
            "registration_id": registration["id"], "directorate_id": directorate, "unit_id": heads[directorate],
            "state": state, "sent_at": referred, "answered_at": answered,
            "closed_at": closed if state == "closed" else None, "decline_reason": "",
            "outcome": "completed" if state == "closed" else "", "closing_note": "", "created_by_id": user.pk,
        }
        referrals.append(referral)
        if served is not None:
            served_referrals.append((referral, served))
    bulk_rows.insert_new(Referral, referrals)
    bulk_rows.insert(ServiceRecord, [{
        "referral_id": referral["id"], "service_type": SERVICE_TYPES.get(codes[referral["directorate_id"]], "lainnya"),
        "service_date": timezone.localdate(served), "result": "given", "note": "", "recorded_by_id": user.pk,
        "recorded_at": served,
    } for referral, served in served_referrals])


# How far each generated lokus village has come, in turn: most are in Act, some still in Think, some
# evaluated (a few of them mandiri). The first villages are in Act, so small runs behave the same.
PROGRESS_PATTERN = ("act", "act", "evaluasi", "think", "act", "mandiri", "act", "evaluasi", "act", "think")


def generate_programme(*, villages: int, province: str | None = None, year: int | None = None, seed: int = 2026,
                       today: datetime.date | None = None) -> int:
    """Put ``villages`` villages in the programme for ``year`` (default: the demo year, config/demo.py).

    Each gets a lokus year, a validated baseline with scores, an action plan with activities, seven
    stages and stimulus tranches, and follows one of ``PROGRESS_PATTERN``: Think (plan submitted),
    Act (approved, stimulus received, implementing), evaluated (validated endline and evaluation), or
    mandiri (evaluated with a tinggi endline). Everything goes through the services and is dated in the
    past: a step whose date is still to come is not recorded, so the derived phases match the records.
    With ``province`` the villages also form a cohort "Angkatan sintetis <province> <year>".
    Returns how many villages were added.
    """
    from actionplans import services as plan_services
    from config.demo import demo_moment, demo_year
    from dimensions import services as assessment_services
    from dimensions.models import Indicator
    from villages import services as village_services
    from villages.models import Cohort, LokusYear

    rng = random.Random(seed)
    today = today or timezone.localdate()
    year = year or demo_year(today)
    actor = _generator_user()
    actor.role, actor.is_active, actor.is_superuser = "admin", True, True  # acts nationally while generating
    checker = User.objects.filter(username=GENERATOR_USERNAME + "-validator").first() or User.objects.create(
        username=GENERATOR_USERNAME + "-validator", first_name="Validator", last_name="Data Demo", is_active=False)
    checker.role, checker.is_active, checker.is_superuser = "admin", True, True  # decides the requests it did not make
    candidates = Village.objects.active().exclude(action_plans__year=year).exclude(
        assessments__year=year, assessments__phase="baseline")
    if province:
        candidates = candidates.filter(code__startswith=province + ".")
    codes = list(candidates.order_by("code").values_list("code", flat=True))
    chosen = sorted(rng.sample(codes, min(villages, len(codes))))
    indicator_codes = list(Indicator.objects.filter(dimension__instrument__is_active=True).values_list("code",
                                                                                                      flat=True))
    cohort = None
    if province and chosen:
        cohort = Cohort.objects.filter(name="Angkatan sintetis {} {}".format(province, year)).first() or \
            village_services.cohort_save(actor=actor, data={
                "name": "Angkatan sintetis {} {}".format(province, year), "year": year, "region_code": province,
                "target_villages": max(len(chosen), 1), "target_graduated": 0, "description": "Data sintetis."})

    def day(month: int, day_of_month: int) -> datetime.date:
        return datetime.date(year, month, day_of_month)

    def happened(date: datetime.date) -> bool:
        return date <= today

    def answers(level: int) -> list[dict]:
        return [{"name": "Responden {}".format(number + 1), "institution": "Pranata {}".format(number % 6 + 1),
                 "answers": {code: min(5, max(1, level + rng.randint(-1, 1))) for code in indicator_codes}}
                for number in range(8)]

    created = 0
    for index, code in enumerate(chosen):
        village = Village.objects.get(code=code)
        progress = PROGRESS_PATTERN[index % len(PROGRESS_PATTERN)]
        with transaction.atomic():
            LokusYear.objects.get_or_create(village=village, year=year)
            if cohort is not None:
                village_services.cohort_village_add(cohort=cohort, village=village, actor=actor)
            if not happened(day(1, 25)):
                created += 1
                continue  # the cycle has not started yet: penjajagan
            assessment = assessment_services.assessment_create(actor=actor, village=village, year=year,
                                                               phase="baseline", period_label="Sintetis")
            assessment_services.answers_replace(assessment=assessment, actor=actor, rows=answers(rng.randint(1, 4)))
            assessment = assessment_services.assessment_submit(assessment=assessment, actor=actor,
                                                               at=demo_moment(year, 1, 15))
            assessment_services.assessment_validate(assessment=assessment, actor=checker, at=demo_moment(year, 1, 25))
            plan = plan_services.plan_create(village=village, year=year, actor=actor, assessment=assessment)
            for proposal in plan_services.proposed_activities(plan, limit=3):
                plan_services.activity_save(plan=plan, actor=actor, data={
                    "dimension": proposal["dimension"], "indicators": [proposal["indicator"]],
                    "title": "Penguatan {}".format(proposal["indicator"].code), "target_group": "Warga desa",
                    "start_date": day(4, 1), "end_date": day(10, 31),
                    "budget": Decimal(rng.choice((2_000_000, 3_500_000, 5_000_000))), "fund_source": "stimulan",
                    "responsible_person": "Ketua Pokja"})
            late = rng.choice((0, 0, 14))
            finished = progress in {"evaluasi", "mandiri"}
            # planned start, planned end, actual start, actual end (None: not yet, or follows the tranches)
            schedule = [
                (day(1, 2), day(1, 15), day(1, 3), day(1, 14)),
                (day(1, 16), day(2, 10), day(1, 16), day(2, 10) + datetime.timedelta(days=late)),
                (day(2, 11), day(2, 28), day(2, 11), day(2, 20) if progress != "think" else None),
                (day(3, 1), day(3, 31), None, None),
                (day(4, 1), day(9, 30), day(4, 1) if progress != "think" else None,
                 day(9, 30) if finished else None),
                (day(10, 1), day(10, 31), day(10, 1) if finished else None, day(10, 31) if finished else None),
                (day(11, 1), day(12, 15), day(11, 1) if finished else None, None),
            ]
            stages = plan_services.stages_initialise(village=village, year=year, actor=actor)
            for stage, (planned_start, planned_end, actual_start, actual_end) in zip(stages, schedule, strict=True):
                plan_services.stage_update(stage=stage, actor=actor, data={
                    "planned_start": planned_start, "planned_end": planned_end,
                    "actual_start": actual_start if actual_start and happened(actual_start) else None,
                    "actual_end": actual_end if actual_end and happened(actual_end) else None})
            plan_services.plan_submit(plan=plan, actor=actor)
            if progress == "think" or not happened(day(2, 20)):
                created += 1
                continue
            plan = plan_services.plan_review(plan=plan, actor=checker, approve=True, at=demo_moment(year, 2, 20))
            tranche = plan_services.tranche_plan(village=village, year=year, actor=actor, number=1,
                                                 planned_amount=Decimal(10_000_000), planned_date=day(3, 15))
            if happened(day(3, 15)):
                plan_services.tranche_receive(tranche=tranche, actor=actor, amount=Decimal(10_000_000),
                                              received_on=day(3, 15), reference="SINTETIS/{}/1".format(code))
            if happened(day(4, 20)):
                first = plan.activities.order_by("pk").first()
                plan_services.spending_record(activity=first, actor=actor, amount=Decimal(1_500_000),
                                              spent_on=day(4, 20), description="Belanja kegiatan (sintetis)")
            if finished and happened(day(11, 10)):
                level = 5 if progress == "mandiri" else rng.randint(2, 3)
                endline = assessment_services.assessment_create(actor=actor, village=village, year=year,
                                                                phase="endline", period_label="Sintetis")
                assessment_services.answers_replace(assessment=endline, actor=actor, rows=[
                    {**row, "answers": {key: max(value, level - 1) if level == 5 else value
                                        for key, value in row["answers"].items()}} for row in answers(level)])
                endline = assessment_services.assessment_submit(assessment=endline, actor=actor,
                                                                at=demo_moment(year, 11, 5))
                endline = assessment_services.assessment_validate(assessment=endline, actor=checker,
                                                                  at=demo_moment(year, 11, 10))
                plan_services.evaluation_save(plan=plan, actor=checker, endline=endline,
                                              findings="Evaluasi sintetis: skor dibandingkan dengan baseline.")
        created += 1
    return created
