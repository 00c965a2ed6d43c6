"""The permission matrix (issue 9): every URL pattern, as anonymous and as each role.

``ROUTES`` classifies every named URL pattern of the project (HTML pages and the /api/v1/ routes,
DRF router and ``@action`` routes included); ``test_every_url_pattern_is_classified`` walks the
URL resolver and fails when a pattern is missing from the table (or the table names one that no
longer exists), so a new URL has to be added here deliberately. Only Django admin internals and
the schema/docs pages (``EXPLICIT``, tested on their own below) are left out of the walk.

Every route is then requested (GET, or a POST with an empty body for POST-only views) as
anonymous and as each role of ``tests/conftest.py``. Routes whose URL points at a record are
requested twice per role: with a record inside the role's region (``home``) and with one outside
it (``foreign``; for the national roles the foreign record is in Jawa Tengah, which they do see).
Anonymous callers must be sent to the sign-in page (HTML) or refused with 401/403 (API); a role
gets 2xx/3xx where the table allows it and 403/404 where it does not, never a 500. List pages and
list APIs must never show the marker texts of records outside the role's region, and must show
them to the national role, which proves the check can fail. No GET page shows a full NIK (the
analyst never sees one), except the NIK field of the correction form and the audited export.

Beyond the walk: writes through the API to records of another region (PATCH, PUT, DELETE,
creates naming a foreign person or village), PATCHes by roles that may only read, child records
of another region reached through a parent in scope, the browsable API's HTML forms, NIK search,
the register page's duplicate warnings, the mapping CSV and the public document check.

The world (regions, users, people, assessments, plans, report jobs, ...) is built once for the
module through the services, inside a transaction that is rolled back at the end; every test
runs in its own savepoint, so the POSTs leave nothing behind for the next test.
"""

import dataclasses
import datetime
import io
import logging
import types
import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Notification
from accounts.notifications import notify
from accounts.offices import office_for_region, office_of, signatories_for
from accounts.scoping import can_see_region, scope_of, visible_to
from actionplans import services as plan_services
from actionplans.models import ProgrammeStage
from dimensions import services as assessment_services
from dimensions.models import Instrument
from maps.services import figures_refresh, shapes_load
from ppks import imports as ppks_imports
from ppks import referral_services
from ppks import services as ppks_services
from ppks.models import Category, Directorate, DuplicateCandidate, Person, Referral, Registration, ServiceUnit
from ppks.workflow import TRANSITIONS
from reports import services as report_services
from tests.conftest import REGION_LINES, make_role_users, make_user
from tests.dimensions.conftest import example_answers
from tests.ppks.factories import person_data
from villages import services as village_services
from villages.models import SocialPillar, Village
from villages.services import regions_import, village_profile_update

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
ROLES = ("admin", "analyst", "province", "regency", "other_regency", "pensosmas", "no_role", "unit")
ALL = frozenset(ROLES)
PUBLIC_ACCESS = ALL | {ANONYMOUS}
STAFF = frozenset({"admin", "province", "regency", "other_regency"})
REGISTERING = STAFF | {"pensosmas"}
REPORTING = STAFF | {"analyst"}
# Referral pages: Dinas Sosial follows its region's referrals, analysts read them, a unit officer answers its own.
REFERRAL_READERS = REPORTING | {"unit"}
REFERRAL_ANSWERERS = STAFF | {"unit"}
NATIONAL = ("analyst", "admin")
ROLE_VALUES = {"admin": "admin", "analyst": "kemensos_analyst", "province": "dinsos_provinsi",
               "regency": "dinsos_kabupaten", "other_regency": "dinsos_kabupaten", "pensosmas": "pensosmas",
               "no_role": "", "unit": "unit_officer"}

# The villages that hold the world's records, and a marker word that every record there carries.
VILLAGES = {
    "sucolor": "35.11.01.2001",
    "pujer": "35.11.01.2002",
    "situbondo": "35.12.01.2001",
    "salatiga": "33.73.04.1001",
}
TAGS = tuple(VILLAGES)
# Names of the regions above a village that only its own region may see (beyond the village itself).
REGION_MARKERS = {
    "sucolor": (),
    "pujer": (),
    "situbondo": ("KAB. SITUBONDO", "Jatibanteng"),
    "salatiga": ("JAWA TENGAH", "KOTA SALATIGA", "Sidomukti"),
}
# Who records in each village, and who verifies and validates there.
CREATOR = {"sucolor": "pensosmas", "pujer": "regency", "situbondo": "other_regency", "salatiga": "admin"}
SUPERVISOR = {"sucolor": "regency", "pujer": "regency", "situbondo": "other_regency", "salatiga": "admin"}
# For each role, a village inside its region and one outside it (the national roles see both).
HOME = {"admin": "sucolor", "analyst": "sucolor", "province": "situbondo", "regency": "sucolor",
        "other_regency": "situbondo", "pensosmas": "sucolor", "no_role": "sucolor", "unit": "sucolor"}
FOREIGN = {"admin": "salatiga", "analyst": "salatiga", "province": "salatiga", "regency": "situbondo",
           "other_regency": "sucolor", "pensosmas": "pujer", "no_role": "salatiga", "unit": "salatiga"}
IMPORTERS = ("admin", "province", "regency", "other_regency", "pensosmas")
TINY_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# ---------------------------------------------------------------------------------------------
# The world
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class World:
    """Users by role key, the records of each village (``tags``), import jobs by owner, marker texts by village."""

    users: dict
    tags: dict[str, types.SimpleNamespace]
    import_jobs: dict
    markers: dict[str, list[str]]
    sessions: dict[str, str]
    niks: list[str]

    def client(self, role: str) -> Client:
        """A client signed in as ``role`` (a session made once for the module), or anonymous."""
        client = Client()
        if role != ANONYMOUS:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return client


def _person(actor, village: Village, name: str, serial: int, birth=datetime.date(1980, 1, 1)):
    """A man born on ``birth`` with a NIK of the village's kecamatan."""
    nik = "{}{}{:04d}".format(village.district_id.replace(".", ""), birth.strftime("%d%m%y"), serial)
    return ppks_services.person_create(actor=actor, data=person_data(
        name=name, nik=nik, sex="L", birth_date=birth, kk_number="", village=village))


def _register(actor, person, *, submit=True) -> Registration:
    return ppks_services.registration_create(
        actor=actor, person=person, category=Category.objects.get(code="FM"), needs="Bantuan pangan",
        assessed_on=datetime.date(2026, 11, 1), submit=submit)


def _assessment(actor, village, *, year: int, label: str):
    assessment = assessment_services.assessment_create(actor=actor, village=village, year=year, phase="baseline",
                                                       period_label=label)
    assessment_services.answers_replace(assessment=assessment, actor=actor, rows=[
        {"name": "Responden {}".format(label), "institution": "PKK", "answers": example_answers("r1")},
        {"name": "Responden kedua {}".format(label), "institution": "Karang Taruna", "answers": example_answers("r2")},
    ])
    return assessment


def _import_upload(owner: str) -> SimpleUploadedFile:
    """One row with an unknown category, so the job ends with an error line and imports nothing."""
    values = dict.fromkeys(ppks_imports.COLUMN_KEYS, "")
    values.update(nama="Impor Rahasia", alasan_tanpa_nik="belum_punya", jenis_kelamin="L",
                  kode_desa="35.11.01.2001", kategori="XX")
    content = ",".join(ppks_imports.COLUMN_KEYS) + "\n" + ",".join(values[key] for key in ppks_imports.COLUMN_KEYS)
    return SimpleUploadedFile("impor-rahasia-{}.csv".format(owner), content.encode(), content_type="text/csv")


def build_world() -> World:
    regions_import(lines=REGION_LINES)
    shapes_load(only=("35", "33"))  # region boundaries, so the maps draw (and must hide) the other regions
    users = make_role_users()
    # The unit officer works at one Dayasos unit that receives only Sucolor's letter (and needs the NIK).
    dayasos = Directorate.objects.get(code="dayasos")
    test_unit = ServiceUnit.objects.create(name="Unit Uji Dayasos", kind=ServiceUnit.Kind.SENTRA, directorate=dayasos,
                                           parent=referral_services.head_unit(dayasos), needs_full_nik=True)
    referral_services.head_unit(dayasos).officers.remove(users["unit"])
    test_unit.officers.add(users["unit"])
    # The administrator sends Salatiga's letter on behalf of Dinas Sosial Kota Salatiga.
    users["admin"].office = office_for_region("33.73")
    users["admin"].save(update_fields=["office"])
    # Planners outside the walked roles, so every walked approver may decide their schedule change requests.
    planners = {"35": make_user("perencana35", "dinsos_provinsi", "35"),
                "33": make_user("perencana33", "dinsos_provinsi", "33")}
    instrument = Instrument.objects.get(is_active=True)
    dimension = instrument.dimensions.get(number=3)
    tags, markers = {}, {}
    for number, (tag, code) in enumerate(VILLAGES.items()):
        village = Village.objects.select_related("district").get(code=code)
        creator, supervisor = users[CREATOR[tag]], users[SUPERVISOR[tag]]
        word = "Rahasia {}".format(tag.title())
        serial = number * 10
        submitted = _register(creator, _person(creator, village, "Warga {} Satu".format(word), serial + 1))
        verified = ppks_services.registration_transition(
            registration=_register(creator, _person(creator, village, "Warga {} Dua".format(word), serial + 2)),
            action="verify", actor=supervisor)
        referred = ppks_services.registration_transition(
            registration=_register(creator, _person(creator, village, "Warga {} Tiga".format(word), serial + 3)),
            action="verify", actor=supervisor)
        twins = [_person(creator, village, "Kembar {}".format(word), serial + index, datetime.date(1970, 5, 5))
                 for index in (4, 5)]
        duplicate = DuplicateCandidate.objects.get(person=min(twins, key=lambda p: p.pk))

        baseline = _assessment(creator, village, year=2025, label="Periode {}".format(word))
        assessment_services.assessment_submit(assessment=baseline, actor=creator)
        baseline = assessment_services.assessment_validate(assessment=baseline, actor=supervisor)
        draft = _assessment(creator, village, year=2026, label="Periode baru {}".format(word))

        plan = plan_services.plan_create(village=village, year=2026, actor=creator, title="Rencana {}".format(word))
        activity = plan_services.activity_save(plan=plan, actor=creator, data={
            "dimension": dimension, "indicators": list(dimension.indicators.all()[:1]),
            "title": "Kegiatan {}".format(word), "description": "", "target_group": "Tokoh masyarakat",
            "start_date": datetime.date(2026, 3, 1), "end_date": datetime.date(2026, 3, 31),
            "budget": Decimal("5000000"), "fund_source": "stimulan", "responsible_person": "Ketua Pokja",
        })
        evidence = plan_services.evidence_add(
            activity=activity, actor=creator, caption="Bukti {}".format(word),
            upload=SimpleUploadedFile("bukti.pdf", TINY_PDF, content_type="application/pdf"))
        plan_services.stages_initialise(village=village, year=2026, actor=creator)
        plan_services.pokja_save(village=village, actor=creator, decree_number="SK {}".format(word),
                                 decree_date=datetime.date(2026, 1, 5))
        visit = plan_services.monitoring_record(village=village, actor=creator, visited_on=datetime.date(2026, 1, 10),
                                                findings="Temuan {}".format(word), plan=plan)
        pillar = SocialPillar.objects.create(village=village, kind=SocialPillar.Kind.PSM, name="Pilar {}".format(word))
        village_profile_update(village=village, actor=supervisor, notes="", lokus_years=[2026])
        cohort = village_services.cohort_save(actor=supervisor, data={
            "name": "Angkatan {}".format(word), "year": 2026, "region_code": village.district.regency_id,
            "target_villages": 10, "target_graduated": 1})
        village_services.cohort_village_add(cohort=cohort, village=village, actor=supervisor)
        plan_services.pokja_save(village=village, actor=creator, decree_number="SK {}".format(word),
                                 decree_date=datetime.date(2026, 1, 5), decree_upload=SimpleUploadedFile(
                                     "sk.pdf", TINY_PDF, content_type="application/pdf"))
        asset = plan_services.asset_save(village=village, actor=creator, data={
            "kind": "ekonomi", "name": "Aset {}".format(word), "owner": "Pemilik {}".format(word),
            "leaky_bucket": True, "monthly_outflow": Decimal(1_000_000), "low_hanging_fruit": False})
        # Last year's plan was approved; a planner (not one of the roles walked) asks to move one of its stages.
        old_plan = plan_services.plan_create(village=village, year=2025, actor=creator,
                                             title="Rencana lama {}".format(word))
        plan_services.activity_save(plan=old_plan, actor=creator, data={
            "dimension": dimension, "indicators": [], "title": "Kegiatan lama {}".format(word),
            "target_group": "Warga", "start_date": datetime.date(2025, 3, 1), "end_date": datetime.date(2025, 3, 31),
            "budget": Decimal("1000000"), "fund_source": "stimulan", "responsible_person": "Ketua Pokja"})
        plan_services.plan_submit(plan=old_plan, actor=creator)
        plan_services.plan_review(plan=old_plan, actor=supervisor, approve=True)
        old_stage = plan_services.stages_initialise(village=village, year=2025, actor=creator)[0]
        change = plan_services.stage_change_request(
            stage=old_stage, actor=planners[village.code[:2]], planned_start=None,
            planned_end=datetime.date(2025, 12, 31), reason="Alasan {}".format(word))
        tranche = plan_services.tranche_plan(village=village, year=2025, actor=supervisor, number=1,
                                             planned_amount=Decimal(1_000_000), planned_date=datetime.date(2025, 6, 1))

        if tag == "pujer":
            job = report_services.village_profile_request(actor=supervisor, village=village)
            referral_services.referral_letter_create(actor=supervisor, request=referral_services.LetterRequest(
                region_code="35.11", directorate=referred.directorate, registration_ids=[referred.pk],
                signatory=signatories_for(office_of(supervisor)).first()))
        else:
            job = report_services.referral_send(
                actor=supervisor, region_code=".".join(code.split(".")[:2]), directorate=referred.directorate,
                registration_ids=[referred.pk], unit=test_unit if tag == "sucolor" else None)
        referral = Referral.objects.get(registration=referred)
        report_services.report_generate(job_id=job.pk)
        job.refresh_from_db()
        assert job.state == job.State.DONE, job.error

        tags[tag] = types.SimpleNamespace(
            village=village, submitted=submitted, verified=verified, referred=referred, duplicate=duplicate,
            baseline=baseline, draft=draft, respondent=draft.respondents.order_by("pk").first(), plan=plan,
            activity=activity, evidence=evidence, pillar=pillar, visit=visit, job=job, referral=referral, cohort=cohort,
            asset=asset, change=change, tranche=tranche,
            stage=ProgrammeStage.objects.filter(village=village, year=2026).order_by("order").first(),
        )
        markers[tag] = [
            word, village.code, village.name, *REGION_MARKERS[tag], str(job.pk),
            *(registration.get_absolute_url() for registration in (submitted, verified, referred)),
            *(person.get_absolute_url() for person in [submitted.person, verified.person, referred.person, *twins]),
            *(assessment.get_absolute_url() for assessment in (baseline, draft)),
            plan.get_absolute_url(),
        ]
    figures_refresh(full=True)
    import_jobs = {owner: ppks_services.registration_import_create(actor=users[owner], upload=_import_upload(owner))
                   for owner in IMPORTERS}
    for user in users.values():
        notify(recipients=[user], kind=Notification.Kind.REFERRAL_OVERDUE, params={"count": 1, "letter": "-",
                                                                                   "days": 14})
    sessions = {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    niks = list(Person.objects.exclude(nik=None).values_list("nik", flat=True))
    return World(users=users, tags=tags, import_jobs=import_jobs, markers=markers, sessions=sessions, niks=niks)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The records every test reads, built once and rolled back after the module.

    Refusals (403/404) are expected by the hundred here, so Django's request logger only reports errors.
    """
    request_logger = logging.getLogger("django.request")
    level = request_logger.level
    request_logger.setLevel(logging.ERROR)
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            yield build_world()
            transaction.set_rollback(True)
    finally:
        request_logger.setLevel(level)


# ---------------------------------------------------------------------------------------------
# What the URLs point at
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Target:
    """The URL kwargs for a role and whether the role's region covers the record they name."""

    kwargs: dict
    visible: bool
    objects: types.SimpleNamespace | None = None


def tagged(kwargs_of: Callable, visible_of: Callable | None = None) -> Callable:
    """A record of the home or foreign village of the role; visible when the role's scope covers the village."""

    def target(world: World, role: str, which: str) -> Target:
        objects = world.tags[(HOME if which == "home" else FOREIGN)[role]]
        user = world.users[role]
        visible = visible_of(user, objects) if visible_of else scope_of(user).covers(objects.village.code)
        return Target(kwargs_of(objects), visible, objects)

    return target


def import_job_target(world: World, role: str, which: str) -> Target:
    """An import job is visible to the user who uploaded it and to administrators."""
    if which == "home":
        owner = role if role in world.import_jobs else "regency"
    else:
        owner = "regency" if role == "other_regency" else "other_regency"
    return Target({"pk": world.import_jobs[owner].pk}, owner == role or role == "admin")


def bulk_action_target(world: World, role: str, which: str) -> Target:
    """A bulk action's result page is its requester's own (made here, rolled back with the test)."""
    from ppks.models import BulkAction

    owner = role if which == "home" else ("regency" if role != "regency" else "other_regency")
    action, _created = BulkAction.objects.get_or_create(requested_by=world.users[owner], defaults={
        "action": "verify", "registration_ids": [], "total": 0})
    return Target({"pk": action.pk}, owner == role)


def referral_visible(user, objects) -> bool:
    """Dinas Sosial by the village, a unit officer by the unit the referral is addressed to."""
    return visible_to(user, Referral.objects.filter(pk=objects.referral.pk)).exists()


def notification_target(world: World, role: str, which: str) -> Target:
    """A notification is the recipient's own: the home one is the role's, the foreign one another user's."""
    owner = role if which == "home" else ("analyst" if role == "admin" else "admin")
    notification = Notification.objects.filter(recipient=world.users[owner]).first()
    return Target({"pk": notification.pk}, owner == role)


def fixed(**kwargs) -> Callable:
    """Reference data every role reads (no region)."""
    return lambda world, role, which: Target(kwargs, True)


TARGETS = {
    "village": tagged(lambda o: {"code": o.village.code}),
    "district": tagged(lambda o: {"code": o.village.district_id},
                       lambda user, o: can_see_region(user, o.village.district_id)),
    "pillar": tagged(lambda o: {"code": o.village.code, "pk": o.pillar.pk}),
    "registration": tagged(lambda o: {"pk": o.submitted.pk}),
    "registration-verify": tagged(lambda o: {"pk": o.submitted.pk, "action": "verify"}),
    "person": tagged(lambda o: {"pk": o.submitted.person_id}),
    "duplicate": tagged(lambda o: {"pk": o.duplicate.pk}),
    "assessment": tagged(lambda o: {"pk": o.draft.pk}),
    "assessment-submit": tagged(lambda o: {"pk": o.draft.pk, "action": "submit"}),
    "survey": tagged(lambda o: {"pk": o.draft.pk, "respondent_pk": o.respondent.pk}),
    "plan": tagged(lambda o: {"pk": o.plan.pk}),
    "plan-submit": tagged(lambda o: {"pk": o.plan.pk, "action": "submit"}),
    "activity": tagged(lambda o: {"pk": o.plan.pk, "activity_pk": o.activity.pk}),
    "evidence": tagged(lambda o: {"pk": o.plan.pk, "activity_pk": o.activity.pk, "evidence_pk": o.evidence.pk}),
    "stage": tagged(lambda o: {"pk": o.stage.pk}),
    "stage-change": tagged(lambda o: {"pk": o.change.pk}),
    "stage-change-approve": tagged(lambda o: {"pk": o.change.pk, "action": "approve"}),
    "tranche": tagged(lambda o: {"pk": o.tranche.pk}),
    "tranche-receive": tagged(lambda o: {"pk": o.tranche.pk, "action": "receive"}),
    "asset": tagged(lambda o: {"code": o.village.code, "pk": o.asset.pk}),
    "asset-api": tagged(lambda o: {"pk": o.asset.pk}),
    "cohort": tagged(lambda o: {"pk": o.cohort.pk}),
    "visit": tagged(lambda o: {"pk": o.visit.pk}),
    "job": tagged(lambda o: {"pk": o.job.pk}, lambda user, o: scope_of(user).covers(o.job.region_code)),
    "public-job": tagged(lambda o: {"pk": o.job.pk}, lambda user, o: True),
    "import-job": import_job_target,
    "bulk-action": bulk_action_target,
    "referral": tagged(lambda o: {"pk": o.referral.pk}, referral_visible),
    "referral-accept": tagged(lambda o: {"pk": o.referral.pk, "action": "terima"}, referral_visible),
    "notification": notification_target,
    "category": fixed(code="FM"),
    "reset-link": fixed(uidb64="MQ", token="bukan-token"),
    "chart": fixed(chart="kategori"),
}
SCOPED_TARGETS = frozenset(name for name in TARGETS if name not in {"category", "reset-link", "chart"})


# ---------------------------------------------------------------------------------------------
# The expectations table
# ---------------------------------------------------------------------------------------------

PAGE, API, PUBLIC = "page", "api", "public"


@dataclasses.dataclass(frozen=True)
class Route:
    """How one URL pattern is requested and which roles it serves.

    ``allowed``: roles that get 2xx/3xx for a record in their region (or for the URL without a
    record). ``data``: the POST body where an empty one would stop at form validation before the
    role check (the body is otherwise empty). ``lists``: the body lists records, so the markers of
    out-of-scope villages must not appear; ``shows``: the villages whose markers the national role
    must see there.
    ``effect``: for views that refuse with a message and a redirect instead of 403, a check that
    the POST really changed the record (expected exactly when the role is allowed).
    """

    kind: str
    allowed: frozenset
    method: str = "get"
    target: str | None = None
    query: tuple = ()
    data: tuple = ()
    lists: bool = False
    shows: tuple = TAGS
    effect: Callable | None = None


def registration_verified(objects) -> bool:
    return Registration.objects.get(pk=objects.submitted.pk).status == Registration.Status.VERIFIED


def referral_accepted(objects) -> bool:
    return Referral.objects.get(pk=objects.referral.pk).state == Referral.State.ACCEPTED


def api_transition(action: str) -> Route:
    """A workflow step: the roles of the transition may POST it (400 when the status does not fit)."""
    roles = frozenset(key for key, value in ROLE_VALUES.items() if value in TRANSITIONS[action].roles)
    return Route(API, roles, "post", "registration")


ROUTES: dict[str, Route] = {
    # Project pages and sign-in.
    "dashboard": Route(PAGE, ALL, lists=True, shows=()),
    "healthz": Route(PUBLIC, PUBLIC_ACCESS),
    "search": Route(PAGE, ALL, query=(("q", "Rahasia"),), lists=True, shows=()),
    # Offline Pensosmas pages (issue 18): the worker and manifest are public files; the rest needs a session.
    "service-worker": Route(PUBLIC, PUBLIC_ACCESS),
    "manifest": Route(PUBLIC, PUBLIC_ACCESS),
    "offline:session": Route(API, ALL),  # JSON: 401 without a session
    "offline:outbox": Route(PAGE, ALL),
    "offline:survey": Route(PAGE, frozenset(IMPORTERS)),
    "offline:reference": Route(PAGE, ALL, lists=True, shows=()),
    "accounts:login": Route(PUBLIC, PUBLIC_ACCESS),
    "accounts:logout": Route(PUBLIC, PUBLIC_ACCESS, "post"),
    "accounts:mfa-verify": Route(PAGE, ALL),
    "accounts:mfa-setup": Route(PAGE, frozenset({"admin"})),
    "accounts:password-change": Route(PAGE, ALL),
    "accounts:office": Route(PAGE, STAFF),
    "accounts:api-token": Route(PAGE, ALL),
    "accounts:password-reset": Route(PUBLIC, PUBLIC_ACCESS),
    "accounts:password-reset-done": Route(PUBLIC, PUBLIC_ACCESS),
    "accounts:password-reset-confirm": Route(PUBLIC, PUBLIC_ACCESS, target="reset-link"),
    "accounts:password-reset-complete": Route(PUBLIC, PUBLIC_ACCESS),
    "accounts:notifications": Route(PAGE, ALL),
    "accounts:notification-open": Route(PAGE, ALL, target="notification"),
    "audit:list": Route(PAGE, frozenset({"admin"})),
    "audit:export": Route(PAGE, frozenset({"admin"})),
    "set_language": Route(PUBLIC, PUBLIC_ACCESS, "post"),
    "api-token": Route(PUBLIC, PUBLIC_ACCESS, "post"),
    # Regions and villages.
    "villages:browse": Route(PAGE, ALL, lists=True, shows=("salatiga",)),
    "villages:search": Route(PAGE, ALL, query=(("q", "r"),), lists=True),
    # The village picker's lookup (JSON): "er" matches Pujer Baru and Sumberanyar, each only within scope.
    "villages:village-lookup": Route(PAGE, ALL, query=(("q", "er"),), lists=True, shows=("pujer", "situbondo")),
    "villages:village-detail": Route(PAGE, ALL, target="village"),
    "villages:profile-edit": Route(PAGE, STAFF, target="village"),
    "villages:pillar-create": Route(PAGE, STAFF, target="village"),
    "villages:pillar-edit": Route(PAGE, STAFF, target="pillar"),
    "villages:region": Route(PAGE, ALL, target="district"),
    "villages:cohort-list": Route(PAGE, ALL, lists=True),
    "villages:cohort-create": Route(PAGE, STAFF),
    "villages:cohort-detail": Route(PAGE, ALL, target="cohort"),
    "villages:cohort-edit": Route(PAGE, STAFF, target="cohort"),
    "api:region-children": Route(API, ALL, query=(("parent", "35"),), lists=True, shows=("situbondo",)),
    "api:village-list": Route(API, ALL, lists=True),
    "api:village-detail": Route(API, ALL, target="village"),
    # PPKS registry.
    "ppks:list": Route(PAGE, ALL, lists=True),
    "ppks:register": Route(PAGE, REGISTERING),
    "ppks:registration-detail": Route(PAGE, ALL, target="registration"),
    "ppks:registration-transition": Route(PAGE, STAFF, "post", "registration-verify", effect=registration_verified),
    "ppks:person-detail": Route(PAGE, ALL, target="person"),
    "ppks:person-edit": Route(PAGE, REGISTERING, target="person"),
    "ppks:person-reveal-nik": Route(PAGE, REGISTERING, "post", "person"),
    "ppks:person-data-export": Route(PAGE, STAFF, "post", "person"),
    "ppks:person-anonymise": Route(PAGE, STAFF, "post", "person", data=(("reason", "Permintaan subjek data"),)),
    "ppks:verification-queue": Route(PAGE, STAFF, lists=True),
    "ppks:duplicates": Route(PAGE, STAFF, lists=True),
    "ppks:duplicate-resolve": Route(PAGE, STAFF, "post", "duplicate"),
    "ppks:duplicate-merge": Route(PAGE, STAFF, target="duplicate"),
    "ppks:merge-undo": Route(PAGE, STAFF, "post", "person"),
    "ppks:export": Route(PAGE, REPORTING, lists=True),
    "ppks:import": Route(PAGE, REGISTERING),
    "ppks:import-template": Route(PAGE, REGISTERING),
    "ppks:import-detail": Route(PAGE, ALL, target="import-job"),
    "ppks:import-status": Route(PAGE, ALL, target="import-job"),
    "ppks:import-errors": Route(PAGE, ALL, target="import-job"),
    "ppks:search": Route(PAGE, ALL, "post"),
    "ppks:bulk": Route(PAGE, STAFF, "post", data=(("action", "verify"), ("source", "queue"))),
    "ppks:bulk-detail": Route(PAGE, ALL, target="bulk-action"),
    "ppks:bulk-status": Route(PAGE, ALL, target="bulk-action"),
    "ppks:referral-list": Route(PAGE, REFERRAL_READERS, lists=True),
    "ppks:referral-detail": Route(PAGE, REFERRAL_READERS, target="referral"),
    "ppks:referral-action": Route(PAGE, REFERRAL_ANSWERERS, "post", "referral-accept", effect=referral_accepted),
    "ppks:referral-reveal-nik": Route(PAGE, REFERRAL_ANSWERERS, "post", "referral"),
    "api:referral-list": Route(API, REFERRAL_READERS, lists=True),
    "api:referral-detail": Route(API, REFERRAL_READERS, target="referral"),
    **{"api:referral-{}".format(answer): Route(API, REFERRAL_ANSWERERS, "post", "referral")
       for answer in ("accept", "decline", "forward", "services", "close")},
    "api:referral-reveal-nik": Route(API, REFERRAL_ANSWERERS, "post", "referral"),
    "api:registration-list": Route(API, ALL, lists=True),
    "api:registration-search": Route(API, ALL, "post"),
    "api:registration-detail": Route(API, ALL, target="registration"),
    **{"api:registration-{}".format(action): api_transition(action) for action in TRANSITIONS},
    "api:person-detail": Route(API, ALL, target="person"),
    "api:person-reveal-nik": Route(API, REGISTERING, "post", "person"),
    "api:ppks-category-list": Route(API, ALL),
    "api:ppks-category-detail": Route(API, ALL, target="category"),
    # Assessments.
    "dimensions:list": Route(PAGE, ALL, lists=True),
    "dimensions:create": Route(PAGE, REGISTERING),
    "dimensions:mapping": Route(PAGE, ALL, lists=True),
    "dimensions:village-history": Route(PAGE, ALL, target="village"),
    "dimensions:detail": Route(PAGE, ALL, target="assessment"),
    "dimensions:import": Route(PAGE, REGISTERING, target="assessment"),
    "dimensions:survey": Route(PAGE, ALL, target="survey"),
    "dimensions:transition": Route(PAGE, REGISTERING, "post", "assessment-submit"),
    "api:assessment-list": Route(API, ALL, lists=True),
    "api:assessment-detail": Route(API, ALL, target="assessment"),
    "api:assessment-submit": Route(API, REGISTERING, "post", "assessment"),
    "api:assessment-validate": Route(API, STAFF, "post", "assessment"),
    "api:assessment-send-back": Route(API, STAFF, "post", "assessment"),
    # Action plans and the programme.
    "actionplans:list": Route(PAGE, ALL, lists=True),
    "actionplans:dashboard": Route(PAGE, ALL, query=(("year", "2026"),), lists=True, shows=()),
    "actionplans:village": Route(PAGE, ALL, target="village"),
    "actionplans:pokja": Route(PAGE, ALL, target="village"),
    "actionplans:pokja-decree": Route(PAGE, ALL, target="village"),
    "actionplans:assets": Route(PAGE, ALL, target="village"),
    "actionplans:asset-edit": Route(PAGE, ALL, target="asset"),
    "actionplans:phase-override": Route(PAGE, STAFF, "post", "village"),
    "actionplans:stage-update": Route(PAGE, REGISTERING, "post", "stage"),
    "actionplans:stage-change": Route(PAGE, REGISTERING, "post", "stage"),
    "actionplans:changes": Route(PAGE, ALL, lists=True),
    "actionplans:stage-change-decide": Route(PAGE, STAFF, "post", "stage-change-approve"),
    "actionplans:tranche-action": Route(PAGE, STAFF, "post", "tranche-receive"),
    "actionplans:detail": Route(PAGE, ALL, target="plan"),
    "actionplans:activity": Route(PAGE, ALL, target="activity"),
    "actionplans:evidence-download": Route(PAGE, ALL, target="evidence"),
    "actionplans:transition": Route(PAGE, REGISTERING, "post", "plan-submit"),
    "api:action-plan-list": Route(API, ALL, lists=True),
    "api:action-plan-detail": Route(API, ALL, target="plan"),
    "api:programme-stage-list": Route(API, ALL, lists=True),
    "api:programme-stage-detail": Route(API, ALL, target="stage"),
    "api:programme-stage-change-request": Route(API, REGISTERING, "post", "stage"),
    "api:stage-change-request-list": Route(API, ALL, lists=True),
    "api:stage-change-request-detail": Route(API, ALL, target="stage-change"),
    "api:stage-change-request-approve": Route(API, STAFF, "post", "stage-change"),
    "api:stage-change-request-reject": Route(API, STAFF, "post", "stage-change"),
    "api:stimulus-tranche-list": Route(API, ALL, lists=True),
    "api:stimulus-tranche-detail": Route(API, ALL, target="tranche"),
    "api:stimulus-tranche-receive": Route(API, STAFF, "post", "tranche"),
    "api:stimulus-tranche-correct": Route(API, STAFF, "post", "tranche"),
    "api:stimulus-tranche-void": Route(API, STAFF, "post", "tranche"),
    "api:asset-list": Route(API, ALL, lists=True),
    "api:asset-detail": Route(API, ALL, target="asset-api"),
    "api:monitoring-visit-list": Route(API, ALL, lists=True),
    "api:monitoring-visit-detail": Route(API, ALL, target="visit"),
    # Reports.
    "reports:list": Route(PAGE, REPORTING, lists=True),
    "reports:request": Route(PAGE, REPORTING),
    "reports:referral": Route(PAGE, STAFF, query=(("directorate", "dayasos"),), lists=True),
    "reports:village-profile": Route(PAGE, REPORTING, "post", "village"),
    "reports:form-registration": Route(PAGE, REGISTERING),
    "reports:form-questionnaire": Route(PAGE, REGISTERING),
    "reports:case-sheet": Route(PAGE, REGISTERING, target="person"),
    "reports:detail": Route(PAGE, REPORTING, target="job"),
    "reports:status": Route(PAGE, REPORTING, target="job"),
    "reports:retry": Route(PAGE, STAFF, "post", "job"),
    "reports:download": Route(PAGE, REPORTING - {"analyst"}, target="job"),  # analysts get the masked copy
    "reports:masked-copy": Route(PAGE, REPORTING, "post", "job"),
    "reports:verify": Route(PUBLIC, PUBLIC_ACCESS, target="public-job"),
    # Maps and charts (each user starts at their own area; figures only inside it, other regions unnamed).
    "maps:map": Route(PAGE, ALL, lists=True, shows=("salatiga",)),
    "maps:map-csv": Route(PAGE, ALL, lists=True, shows=("salatiga",)),
    "maps:charts": Route(PAGE, ALL, lists=True, shows=()),
    "maps:chart-csv": Route(PAGE, STAFF | {"analyst"}, target="chart", lists=True, shows=()),
    "api:map": Route(API, ALL, lists=True, shows=("salatiga",)),
    "api:map-measures": Route(API, ALL),
    "api:map-chart": Route(API, ALL, query=(("chart", "kategori"),), lists=True, shows=()),
}

# GET pages that may carry a full NIK (never for the analyst): the correction form's NIK field and the
# audited export of Dinas Sosial. Everywhere else a NIK is masked; revealing it is an audited POST.
FULL_NIK_PAGES = frozenset({"ppks:person-edit", "ppks:export"})

# Outside the walk: Django's admin has its own staff check, and the schema and docs are tested below.
# metrics: a bearer token, not a role (tests/config/test_observability.py: 404 for every role and anonymous).
EXPLICIT = frozenset({"api-schema", "api-docs", "metrics"})
SKIPPED_NAMESPACES = frozenset({"admin"})


def url_patterns(resolver=None, prefix: str = "", namespace: str = ""):
    """(name, route) of every URL pattern, depth first; unnamed patterns come back with name None."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            inner = ":".join(part for part in (namespace, pattern.namespace) if part)
            yield from url_patterns(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            if getattr(pattern.callback, "__module__", "").startswith("django.views.static"):
                continue
            name = ":".join(part for part in (namespace, pattern.name) if part) if pattern.name else None
            yield name, prefix + str(pattern.pattern)


def test_every_url_pattern_is_classified():
    found = dict(url_patterns())
    unnamed = [route for name, route in url_patterns() if name is None]
    missing = sorted(set(found) - set(ROUTES) - EXPLICIT - {None})
    stale = sorted((set(ROUTES) | EXPLICIT) - set(found))
    assert not unnamed, "URL tanpa nama tidak dapat diuji matriks izin: {}".format(unnamed)
    assert not missing, "URL belum diklasifikasikan di ROUTES (tests/security): {}".format(
        ["{} ({})".format(name, found[name]) for name in missing])
    assert not stale, "ROUTES menyebut URL yang tidak ada lagi: {}".format(stale)


def test_the_walk_sees_router_and_action_routes():
    """The walk reaches into includes and DRF routers, so the table cannot silently skip them."""
    names = {name for name, _route in url_patterns()}
    assert {"api:registration-list", "api:registration-verify", "api:person-reveal-nik",
            "api:assessment-send-back", "reports:verify"} <= names
    assert not any(name and name.startswith("admin:") for name in names)


# ---------------------------------------------------------------------------------------------
# The matrix
# ---------------------------------------------------------------------------------------------


def _cases():
    for name, route in ROUTES.items():
        yield pytest.param(name, ANONYMOUS, "home", id="{}-anonymous".format(name))
        places = ("home", "foreign") if route.target in SCOPED_TARGETS else ("home",)
        for role in ROLES:
            for which in places:
                suffix = "" if len(places) == 1 else "-" + which
                yield pytest.param(name, role, which, id="{}-{}{}".format(name, role, suffix))


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _describe(response) -> str:
    location = response.get("Location", "")
    if getattr(response, "streaming", False):
        return "status {} {}".format(response.status_code, location)
    return "status {} {} {}".format(response.status_code, location, response.content[:400])


def _request(client: Client, route: Route, url: str):
    extra = {"HTTP_ACCEPT": "application/json"} if route.kind == API else {}
    if route.method == "post":
        return client.post(url, dict(route.data), **extra)
    return client.get(url, dict(route.query), **extra)


def _ok(route: Route, status: int) -> bool:
    """Allowed: served or redirected; an API POST with an empty body may also be refused as invalid (400)."""
    return 200 <= status < 400 or (route.method == "post" and route.kind != PAGE and status == 400)


@pytest.mark.parametrize(("name", "role", "which"), list(_cases()))
def test_permission_matrix(world, name, role, which):
    route = ROUTES[name]
    target = TARGETS[route.target](world, "admin" if role == ANONYMOUS else role, which) if route.target else None
    url = reverse(name, kwargs=target.kwargs if target else None)
    response = _request(world.client(role), route, url)
    status = response.status_code
    assert status < 500, "{} sebagai {}: {}".format(url, role, _describe(response))

    if role == ANONYMOUS and route.kind == PAGE:
        assert status == 302, _describe(response)
        assert response["Location"].startswith(reverse("accounts:login")), _describe(response)
        return
    if role == ANONYMOUS and route.kind == API:
        assert status in {401, 403}, _describe(response)
        return

    allowed = role in route.allowed and (target is None or target.visible)
    if route.effect is not None:
        changed = route.effect(target.objects)
        if allowed:
            assert _ok(route, status), "{} sebagai {}: {}".format(url, role, _describe(response))
            assert changed, "{} sebagai {}: tidak ada perubahan".format(url, role)
        else:
            assert status in {403, 404} or (300 <= status < 400 and not changed), \
                "{} sebagai {} seharusnya ditolak: {}".format(url, role, _describe(response))
    elif allowed:
        assert _ok(route, status), "{} sebagai {} seharusnya diizinkan: {}".format(url, role, _describe(response))
    else:
        assert status in {403, 404}, "{} sebagai {} seharusnya ditolak: {}".format(url, role, _describe(response))

    if status == 200 and route.method == "get":
        body = _body(response).lower()
        if role == "analyst" or name not in FULL_NIK_PAGES:
            assert not [nik for nik in world.niks if nik in body], "{}: NIK lengkap tampil untuk {}".format(url, role)
        if route.lists and role != ANONYMOUS:
            _check_markers(world, route, name, role, body)


def _check_markers(world: World, route: Route, name: str, role: str, body: str) -> None:
    """Out-of-scope markers never appear; the national role sees the markers of every village in ``shows``.

    A unit officer has no region: only the villages of the referrals addressed to their unit are theirs.
    """
    scope = scope_of(world.users[role])
    for tag in TAGS:
        if scope.covers(VILLAGES[tag]) or (role == "unit" and referral_visible(world.users[role], world.tags[tag])):
            continue
        leaked = [marker for marker in world.markers[tag] if marker.lower() in body]
        assert not leaked, "{} sebagai {} menampilkan data {} di luar wilayahnya: {}".format(name, role, tag, leaked)
    if role == next((national for national in NATIONAL if national in route.allowed), None):
        for tag in route.shows:
            assert any(marker.lower() in body for marker in world.markers[tag]), \
                "{} sebagai {} tidak menampilkan data {} (uji penanda tidak bekerja)".format(name, role, tag)


# ---------------------------------------------------------------------------------------------
# Writes to records outside the region, and the pages outside the walk
# ---------------------------------------------------------------------------------------------

WRITE_METHODS = {
    "api:registration-detail": ("patch", "delete"),
    "api:person-detail": ("put", "patch"),
    "api:programme-stage-detail": ("put", "patch"),
    "api:asset-detail": ("put", "patch"),
}
REGIONAL = ("province", "regency", "other_regency", "pensosmas", "no_role")


@pytest.mark.parametrize(("name", "method", "role"), [
    (name, method, role) for name, methods in WRITE_METHODS.items() for method in methods for role in REGIONAL
])
def test_api_writes_to_records_outside_the_region_are_refused(world, name, method, role):
    target = TARGETS[ROUTES[name].target](world, role, "foreign")
    assert not target.visible
    response = getattr(world.client(role), method)(reverse(name, kwargs=target.kwargs), data={"needs": "diubah"},
                                       content_type="application/json", HTTP_ACCEPT="application/json")
    assert response.status_code in {403, 404, 405}, _describe(response)


@pytest.mark.parametrize("role", REGIONAL)
def test_api_creates_refuse_records_outside_the_region(world, role):
    """Creating through the API with a village or person of another region is refused and writes nothing."""
    foreign = world.tags[FOREIGN[role]]
    client = world.client(role)
    before = (Registration.objects.count(), foreign.village.monitoring_visits.count())
    registration = client.post(reverse("api:registration-list"), {"person_id": foreign.submitted.person_id,
                                                                  "category": "LUT"},
                               content_type="application/json", HTTP_ACCEPT="application/json")
    visit = client.post(reverse("api:monitoring-visit-list"), {
        "village": foreign.village.code, "visited_on": "2026-01-11", "findings": "Kunjungan luar wilayah"},
        content_type="application/json", HTTP_ACCEPT="application/json")
    assessment = client.post(reverse("api:assessment-list"), {
        "client_uuid": str(uuid.uuid4()), "village": foreign.village.code, "year": 2027, "phase": "baseline",
        "respondents": [{"name": "Responden luar", "institution": "PKK", "answers": example_answers("r1")}],
        "submit": False,
    }, content_type="application/json", HTTP_ACCEPT="application/json")
    assert registration.status_code in {400, 403, 404}, _describe(registration)
    assert visit.status_code in {400, 403, 404}, _describe(visit)
    assert assessment.status_code in {400, 403, 404}, _describe(assessment)
    assert (Registration.objects.count(), foreign.village.monitoring_visits.count()) == before
    assert not foreign.village.assessments.filter(year=2027).exists()


@pytest.mark.parametrize("role", [ANONYMOUS, *ROLES])
def test_schema_and_docs_hold_no_records(world, role):
    """The OpenAPI schema and its docs page describe the API; they are served without personal data."""
    client = world.client(role)
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    docs = client.get(reverse("api-docs"))
    assert schema.status_code == 200
    assert docs.status_code == 200
    assert "/api/v1/registrations/" in schema.json()["paths"]
    body = (schema.content + docs.content).decode().lower()
    assert not [marker for tag in TAGS for marker in world.markers[tag][:1] if marker.lower() in body]


def test_import_job_file_name_is_the_marker_of_its_owner(world):
    """Import jobs are per user, not per region: the detail page names the owner's file only."""
    client = world.client("regency")
    own = client.get(reverse("ppks:import-detail", kwargs={"pk": world.import_jobs["regency"].pk}))
    other = client.get(reverse("ppks:import-detail", kwargs={"pk": world.import_jobs["pensosmas"].pk}))
    assert own.status_code == 200
    assert "impor-rahasia-regency.csv" in own.content.decode()
    assert other.status_code == 404


@pytest.mark.parametrize("role", REGIONAL)
def test_nik_search_finds_nobody_outside_the_region(world, role):
    """Searching by the NIK of a person in another region (API and list page) returns no record of them."""
    foreign = world.tags[FOREIGN[role]]
    nik = foreign.submitted.person.nik
    client = world.client(role)
    found = client.post(reverse("api:registration-search"), {"nik": nik}, content_type="application/json",
                        HTTP_ACCEPT="application/json")
    assert found.status_code == 200, _describe(found)
    assert found.json()["results"] == []
    page = client.post(reverse("ppks:search"), {"q": nik}, follow=True)
    assert page.status_code == 200
    body = page.content.decode().lower()
    assert not [marker for marker in world.markers[FOREIGN[role]] if marker.lower() in body]
    own = world.tags[HOME[role]].submitted.person
    if scope_of(world.users[role]).covers(own.village_id):
        mine = client.post(reverse("api:registration-search"), {"nik": own.nik}, content_type="application/json",
                           HTTP_ACCEPT="application/json")
        assert [row["person"]["name"] for row in mine.json()["results"]] == [own.name]


@pytest.mark.parametrize("role", ["regency", "pensosmas", "other_regency"])
def test_register_warnings_name_nobody_outside_the_region(world, role):
    """Registering someone who resembles a person of another region never shows that person.

    The pair still goes to the duplicate queue of the staff whose region covers both villages.
    """
    foreign = world.tags[FOREIGN[role]]
    twin = foreign.duplicate.person
    home = world.tags[HOME[role]].village
    form = {
        "name": twin.name, "nik": "", "nik_status": "belum_punya", "kk_number": "", "sex": "L",
        "birth_place": "", "birth_date": twin.birth_date.isoformat(), "village": home.code, "dusun": "", "rt": "",
        "rw": "", "street_address": "", "phone": "", "disability": "", "category": "FM", "needs": "",
        "assessed_on": "2026-11-01",
    }
    response = world.client(role).post(reverse("ppks:register"), form, follow=True)
    assert response.status_code == 200, _describe(response)
    body = response.content.decode().lower().replace(twin.name.lower(), "")  # the name the user typed
    assert not [marker for marker in world.markers[FOREIGN[role]] if marker.lower() in body]
    new = Registration.objects.select_related("person").get(pk=response.context["registration"].pk).person
    assert new.village_id == home.code
    assert DuplicateCandidate.objects.filter(person__in=[new, twin], other__in=[new, twin]).exists(), \
        "pasangan lintas wilayah tetap masuk antrean duplikat untuk Dinas Sosial yang mencakup keduanya"


MIXED = {
    # A parent inside the region with a child record of another region in the same URL.
    "actionplans:activity": lambda home, foreign: {"pk": home.plan.pk, "activity_pk": foreign.activity.pk},
    "actionplans:evidence-download": lambda home, foreign: {
        "pk": home.plan.pk, "activity_pk": home.activity.pk, "evidence_pk": foreign.evidence.pk},
    "dimensions:survey": lambda home, foreign: {"pk": home.draft.pk, "respondent_pk": foreign.respondent.pk},
    "villages:pillar-edit": lambda home, foreign: {"code": home.village.code, "pk": foreign.pillar.pk},
}


@pytest.mark.parametrize(("name", "role"), [
    (name, role) for name in MIXED for role in ("province", "regency", "other_regency", "pensosmas")
    if role in ROUTES[name].allowed
])
def test_child_records_of_another_region_are_not_reached_through_a_parent_in_scope(world, name, role):
    kwargs = MIXED[name](world.tags[HOME[role]], world.tags[FOREIGN[role]])
    response = world.client(role).get(reverse(name, kwargs=kwargs))
    assert response.status_code == 404, _describe(response)


@pytest.mark.parametrize("role", REGIONAL)
def test_mapping_csv_holds_only_the_region(world, role):
    response = world.client(role).get(reverse("dimensions:mapping"), {"format": "csv"})
    assert response.status_code == 200
    rows = _body(response).lower()
    scope = scope_of(world.users[role])
    for tag, code in VILLAGES.items():
        assert (code in rows) is scope.covers(code), (tag, rows[:500])


def test_public_verification_page_shows_no_personal_data(world):
    """Anyone holding a document may check it; the page names the document, never the people in it."""
    for tag in TAGS:
        response = world.client(ANONYMOUS).get(reverse("reports:verify", kwargs={"pk": world.tags[tag].job.pk}))
        assert response.status_code == 200
        body = response.content.decode().lower()
        assert "warga rahasia" not in body
        assert world.tags[tag].referred.person.nik not in body


# What a PATCH may change on a record inside the role's region, and how to read the value back.
API_UPDATES = {
    "api:registration-detail": ({"needs": "Kebutuhan diubah"}, REGISTERING,
                                lambda o: Registration.objects.get(pk=o.submitted.pk).needs),
    "api:person-detail": ({"phone": "081200000000", "correction_reason": "Nomor telepon baru"}, REGISTERING,
                          lambda o: Person.objects.get(pk=o.submitted.person_id).phone),
    "api:programme-stage-detail": ({"notes": "Catatan diubah"}, REGISTERING,
                                   lambda o: ProgrammeStage.objects.get(pk=o.stage.pk).notes),
}


@pytest.mark.parametrize(("name", "role"), [(name, role) for name in API_UPDATES for role in ROLES])
def test_api_updates_inside_the_region_follow_the_role(world, name, role):
    """A PATCH on a record the role can see is refused (and changes nothing) unless the role may edit it."""
    body, allowed, read = API_UPDATES[name]
    target = TARGETS[ROUTES[name].target](world, role, "home")
    before = read(target.objects)
    response = world.client(role).patch(reverse(name, kwargs=target.kwargs), body, content_type="application/json",
                                        HTTP_ACCEPT="application/json")
    if role in allowed and target.visible:
        assert response.status_code in {200, 400}, _describe(response)
    else:
        assert response.status_code in {403, 404}, _describe(response)
        assert read(target.objects) == before


@pytest.mark.parametrize(("name", "role"), [
    (name, role) for name, route in ROUTES.items() if route.kind == API and route.lists
    for role in (*REGIONAL, "unit") if role in route.allowed
])
def test_browsable_api_pages_hold_only_the_region(world, name, role):
    """The browsable API (HTML) renders the same lists plus its forms; neither may show another region."""
    route = ROUTES[name]
    response = world.client(role).get(reverse(name), dict(route.query), HTTP_ACCEPT="text/html")
    assert response.status_code == 200, _describe(response)
    assert response["Content-Type"].startswith("text/html")
    _check_markers(world, route, name, role, _body(response).lower())


ANCESTORS = [("regency", "35"), ("other_regency", "35"), ("pensosmas", "35"), ("pensosmas", "35.11"),
             ("pensosmas", "35.11.01"), ("province", "35")]


@pytest.mark.parametrize(("role", "code"), ANCESTORS)
def test_regions_above_the_scope_list_only_the_way_down(world, role, code):
    """A region above the user's scope may be browsed, but lists only the regions leading to that scope."""
    client = world.client(role)
    page = client.get(reverse("villages:region", kwargs={"code": code}))
    children = client.get(reverse("api:region-children"), {"parent": code}, HTTP_ACCEPT="application/json")
    assert page.status_code == 200, _describe(page)
    assert children.status_code == 200, _describe(children)
    scope = scope_of(world.users[role])
    body = (_body(page) + _body(children)).lower()
    for tag, village in VILLAGES.items():
        if not scope.covers(village):
            assert not [marker for marker in world.markers[tag] if marker.lower() in body], (tag, code)


# ---------------------------------------------------------------------------------------------
# The NIK rule in files (ppks.permissions.FULL_NIK): referral letters and list exports, per role
# ---------------------------------------------------------------------------------------------


def _file_text(response, file_format: str) -> str:
    content = b"".join(response.streaming_content)
    if file_format == "pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    if file_format == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(content)).active
        return "\n".join(" ".join(str(value) for value in row if value is not None)
                         for row in sheet.iter_rows(values_only=True))
    return content.decode("utf-8-sig")


@pytest.mark.parametrize("file_format", ["pdf", "csv", "xlsx"])
@pytest.mark.parametrize("role", ["admin", "analyst", "regency", "province"])
def test_referral_letter_files_follow_the_nik_rule(world, role, file_format):
    """The original letter's files carry full NIK and No. KK only for the rule's "referral_letter" roles;
    the others are refused the original and read the masked copy, which carries none."""
    from ppks.nik import mask_nik
    from ppks.permissions import full_nik_allowed
    from reports import services as reports_services

    job = world.tags[HOME[role]].job
    nik = world.tags[HOME[role]].referral.registration.person.nik
    client = world.client(role)
    response = client.get(reverse("reports:download", kwargs={"pk": job.pk}), {"format": file_format})
    if full_nik_allowed(world.users[role], "referral_letter"):
        assert response.status_code == 200, _describe(response)
        assert nik in _file_text(response, file_format)
        return
    assert response.status_code == 403, _describe(response)
    copy = reports_services.referral_masked_copy(job=job, actor=world.users[role])
    reports_services.report_generate(job_id=copy.pk)
    response = client.get(reverse("reports:download", kwargs={"pk": copy.pk}), {"format": file_format})
    assert response.status_code == 200, _describe(response)
    text = _file_text(response, file_format)
    assert nik not in text
    assert mask_nik(nik) in text


@pytest.mark.parametrize("role", ["admin", "analyst", "regency", "province"])
def test_list_exports_follow_the_nik_rule(world, role):
    from ppks.permissions import full_nik_allowed

    response = world.client(role).get(reverse("ppks:export"), {"format": "csv"})
    assert response.status_code == 200, _describe(response)
    text = _file_text(response, "csv")
    home_nik = world.tags[HOME[role]].submitted.person.nik
    assert (home_nik in text) == full_nik_allowed(world.users[role], "list_export")
