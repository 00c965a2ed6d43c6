"""Synthetic, reproducible national-scale data: people with valid NIKs on real region codes and
registrations across categories and statuses (PostgreSQL COPY; bulk_create elsewhere).

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
from ppks import history
from ppks.models import Category, Person, Registration
from ppks.names import normalise_name
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
        person_rows.append((
            nik, "ada" if nik else rng.choice(("belum_punya", "dalam_proses", "tidak_diketahui")),
            "{}{:010d}".format(village[:8].replace(".", ""), rng.randrange(10**10)) if rng.random() < 0.8 else "",
            name, normalise_name(name), "", birth,
            "P" if female else "L", village, rng.choice(DUSUN), "{:03d}".format(rng.randint(1, 15)),
            "{:03d}".format(rng.randint(1, 8)), "", "", "", rng.choice((None, None, rng.randint(1, 10))), now, now,
            user.pk,
        ))
        group = "child" if age < 18 else "elderly" if age >= 60 else "adult"
        candidates = [category for category in groups[group] if not category.required_sex or female]
        for category in rng.sample(candidates, 2 if rng.random() < 0.1 else 1):
            status = rng.choices(statuses, weights)[0]
            created = now - datetime.timedelta(days=rng.randrange(720), minutes=rng.randrange(1440))
            submitted = created + datetime.timedelta(days=1) if status != "draft" else None
            verified = submitted + datetime.timedelta(days=rng.randrange(1, 20)) if status in {
                "verified", "referred", "served", "closed"} else None
            referred = verified + datetime.timedelta(days=rng.randrange(1, 30)) if status in {
                "referred", "served", "closed"} else None
            served = referred + datetime.timedelta(days=rng.randrange(1, 60)) if status in {"served", "closed"} \
                else None
            closed = served + datetime.timedelta(days=rng.randrange(1, 60)) if status == "closed" else None
            directorate = directorates.get(category.pk)
            registration_rows.append((
                index, category.pk, village, status, rng.choice(NEEDS), created.date(),
                directorate.pk if directorate else None,
                "Data tidak sesuai kriteria" if status == "rejected" else "", created, created, submitted, verified,
                referred, served, closed, user.pk,
            ))
            if group != "adult":
                break
        if progress and index % 50_000 == 0:
            progress(index / persons / 2)
    with history.suspended(), history.history_actor(user):
        person_ids = _write_persons(person_rows)
        _write_registrations(registration_rows, person_ids)
    return GenerationResult(persons=len(person_rows), registrations=len(registration_rows),
                            villages=len(village_codes), seconds=(timezone.now() - started).total_seconds())


PERSON_COLUMNS = (
    "nik", "nik_status", "kk_number", "name", "name_key", "birth_place", "birth_date", "sex", "village_id", "dusun",
    "rt", "rw", "street_address", "phone", "disability", "dtsen_decile", "created_at", "updated_at", "created_by_id",
)
REGISTRATION_COLUMNS = (
    "person_id", "category_id", "village_id", "status", "needs", "assessed_on", "directorate_id", "rejection_reason",
    "created_at", "updated_at", "submitted_at", "verified_at", "referred_at", "served_at", "closed_at",
    "created_by_id",
)


def _write_persons(rows: list[tuple]) -> list[int]:
    """Insert people; returns their ids in row order."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence('ppks_person', 'id')) FROM generate_series(1, %s)",
                           [len(rows)])
            ids = [row[0] for row in cursor.fetchall()]
            _copy("ppks_person", ("id", *PERSON_COLUMNS), [(pk, *row) for pk, row in zip(ids, rows, strict=True)])
        return ids
    people = [Person(**dict(zip(PERSON_COLUMNS, row, strict=True))) for row in rows]
    Person.objects.bulk_create(people, batch_size=2000)
    return [person.pk for person in people]


def _write_registrations(rows: list[tuple], person_ids: list[int]) -> None:
    resolved = [(person_ids[row[0]], *row[1:]) for row in rows]
    if connection.vendor == "postgresql":
        _copy("ppks_registration", REGISTRATION_COLUMNS, resolved)
        return
    Registration.objects.bulk_create(
        [Registration(**dict(zip(REGISTRATION_COLUMNS, row, strict=True))) for row in resolved], batch_size=2000
    )


def _copy(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """COPY rows into ``table`` in chunks (psycopg 3 ``cursor.copy``)."""
    statement = "COPY {} ({}) FROM STDIN".format(table, ", ".join(columns))
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for start in range(0, len(rows), 100_000):
            with raw.copy(statement) as copy:
                for row in rows[start : start + 100_000]:
                    copy.write_row(row)




def generate_programme(*, villages: int, province: str | None = None, year: int | None = None, seed: int = 2026
                       ) -> int:
    """Put ``villages`` villages in the programme: lokus year and profile, a validated baseline with scores,
    an approved action plan with activities, the seven stages and a stimulus tranche (through the services,
    so every rule and score is real). Returns how many villages were added."""
    from actionplans import services as plan_services
    from dimensions import services as assessment_services
    from dimensions.models import Indicator
    from villages.models import LokusYear, VillageProfile

    rng = random.Random(seed)
    year = year or timezone.localdate().year
    actor = _generator_user()
    actor.role, actor.is_active, actor.is_superuser = "admin", True, True  # acts nationally while generating
    candidates = Village.objects.active().exclude(action_plans__year=year)
    if province:
        candidates = candidates.filter(code__startswith=province + ".")
    codes = list(candidates.order_by("code").values_list("code", flat=True))
    chosen = sorted(rng.sample(codes, min(villages, len(codes))))
    indicator_codes = list(Indicator.objects.filter(dimension__instrument__is_active=True).values_list("code",
                                                                                                      flat=True))
    created = 0
    for code in chosen:
        village = Village.objects.get(code=code)
        with transaction.atomic():
            VillageProfile.objects.get_or_create(village=village, defaults={"stage": VillageProfile.Stage.ACT,
                                                                            "pilot_cohort": "Sintetis"})
            LokusYear.objects.get_or_create(village=village, year=year)
            assessment = assessment_services.assessment_create(actor=actor, village=village, year=year,
                                                               phase="baseline", period_label="Sintetis")
            level = rng.randint(1, 4)
            assessment_services.answers_replace(assessment=assessment, actor=actor, rows=[
                {"name": "Responden {}".format(number + 1), "institution": "Pranata {}".format(number % 6 + 1),
                 "answers": {code: min(5, max(1, level + rng.randint(-1, 1))) for code in indicator_codes}}
                for number in range(8)])
            assessment = assessment_services.assessment_submit(assessment=assessment, actor=actor)
            assessment_services.assessment_validate(assessment=assessment, actor=actor)
            plan = plan_services.plan_create(village=village, year=year, actor=actor, assessment=assessment)
            for proposal in plan_services.proposed_activities(plan, limit=3):
                plan_services.activity_save(plan=plan, actor=actor, data={
                    "dimension": proposal["dimension"], "indicators": [proposal["indicator"]],
                    "title": "Penguatan {}".format(proposal["indicator"].code), "target_group": "Warga desa",
                    "start_date": datetime.date(year, 4, 1), "end_date": datetime.date(year, 10, 31),
                    "budget": Decimal(rng.choice((2_000_000, 3_500_000, 5_000_000))), "fund_source": "stimulan",
                    "responsible_person": "Ketua Pokja"})
            plan_services.plan_submit(plan=plan, actor=actor)
            plan_services.plan_review(plan=plan, actor=actor, approve=True)
            for index, stage in enumerate(plan_services.stages_initialise(village=village, year=year, actor=actor)):
                planned_end = datetime.date(year, min(12, 1 + index * 2), 28)
                plan_services.stage_update(stage=stage, actor=actor, data={
                    "planned_end": planned_end,
                    "actual_end": planned_end + datetime.timedelta(days=rng.choice((0, 0, 14))) if index < 3 else None})
            plan_services.tranche_record(village=village, year=year, actor=actor, number=1,
                                         amount=Decimal(10_000_000), received_on=datetime.date(year, 3, 15),
                                         reference="SINTETIS/{}".format(code))
        created += 1
    return created
