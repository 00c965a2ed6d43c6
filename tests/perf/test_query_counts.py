"""Fixed query counts per page: every list, detail and dashboard costs the same with 3 rows as with 30.

Each test renders a page once with a few rows (``FEW``), adds rows up to ``MANY`` and renders
it again; both renders must run exactly the same, stated number of queries
(``django_assert_num_queries``), so a query per row (N+1) fails the test. Counts are written as
``REQUEST`` (what every signed-in request costs) plus the page's own queries; middleware that
adds a query to every request changes only ``REQUEST``.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dimensions import services as assessment_services
from dimensions.models import Assessment
from ppks import services as ppks_services
from ppks.models import Category, Registration
from reports.demo_data import FAMILY_NAMES, FIRST_NAMES_FEMALE, generate_programme
from reports.models import ReportJob
from tests.conftest import REGION_LINES, make_user
from tests.dimensions.conftest import example_answers
from tests.ppks.factories import register
from villages.models import Village
from villages.services import regions_import

pytestmark = pytest.mark.django_db

FEW = 3
# What a page pays for the DBS phase of the villages it shows, however many (actionplans/lifecycle.py):
# lokus years and cohorts, plans, assessments, stages, overrides (and evaluations when there are plans).
PHASE = 5
MANY = 30
# Queries of every signed-in page request: the ATOMIC_REQUESTS savepoint and its release, the
# session, the user and the header's unread-notification count. API requests in these tests
# (force_authenticate) only have the savepoint pair.
REQUEST = 5
API_REQUEST = 2
EXTRA_VILLAGES = ["35.11.01.{},Desa Uji {}".format(2003 + number, number + 1) for number in range(MANY)]
KECAMATAN_VILLAGES = ("35.11.01.2001", "35.11.01.2002", "35.11.02.2001", "35.11.02.1001")


def villages_import(count: int) -> None:
    """The shared region tree plus ``count`` extra desa in Kecamatan Maesan (35.11.01.2003 on)."""
    regions_import(lines=REGION_LINES + EXTRA_VILLAGES[:count])


@pytest.fixture
def villages(users):
    villages_import(MANY)


def person_name(serial: int) -> str:
    return "{} {}".format(FIRST_NAMES_FEMALE[serial % len(FIRST_NAMES_FEMALE)],
                          FAMILY_NAMES[serial // len(FIRST_NAMES_FEMALE) % len(FAMILY_NAMES)])


def registrations_add(actor, count: int, *, verify: bool = False, person=None) -> list:
    """``count`` submitted (or verified) registrations through the services, spread over Kab. Bondowoso.

    Every new person gets a distinct name and NIK; with ``person`` all registrations belong to that
    person, one per category.
    """
    start = Registration.objects.count()
    categories = list(Category.objects.current().order_by("order_no").values_list("code", flat=True))
    created = []
    for serial in range(start, start + count):
        village = Village.objects.get(code=KECAMATAN_VILLAGES[serial % len(KECAMATAN_VILLAGES)])
        nik = "{}5203{:02d}{:04d}".format(village.code[:8].replace(".", ""), 60 + serial // 9000, serial % 9000 + 1)
        category = ("FM", "PRSE", "AT")[serial % 3] if person is None else categories[person.registrations.count()]
        registration = register(actor, category=category, person=person, submit=True, nik=nik,
                                name=person_name(serial), sex="P", birth_date=None, village=village)
        if verify:
            registration = ppks_services.registration_transition(registration=registration, action="verify",
                                                                 actor=actor)
        created.append(registration)
    return created


def events_add(registration, users, cycles: int = MANY // 3) -> None:
    """Ten reject / reopen / submit rounds by three different people: thirty more status events."""
    for _cycle in range(cycles):
        for action, actor in (("reject", "regency"), ("reopen", "pensosmas"), ("submit", "province")):
            registration = ppks_services.registration_transition(registration=registration, action=action,
                                                                 actor=users[actor], note="Periksa ulang")


def fixed_queries(django_assert_num_queries, client, path, *, expected: int | None, grow, params=None,
                  marker: bytes = b"", rows=(FEW, MANY), at_most: int | None = None, cold: bool = True):
    """GET ``path`` with FEW rows, call ``grow()``, GET again: both exactly ``expected`` queries.

    With ``expected=None`` (a page another part of the project is still extending) the second
    render must cost exactly what the first did, and the first at most ``at_most``. The cache
    is cleared before each measured request, so cached dashboard figures are counted too;
    ``cold=False`` keeps it, for pages whose reference data stay in memory (ppks/reference.py).
    """
    client.get(path, params or {})  # warm up: the first request after sign-in also writes the session
    responses = []
    for step, minimum in enumerate(rows):
        if step:
            grow()
        if cold:
            cache.clear()
        if expected is None:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path, params or {})
            expected = len(captured)
            assert expected <= at_most, (path, expected, at_most)
        else:
            with django_assert_num_queries(expected):
                response = client.get(path, params or {})
        assert response.status_code == 200, (path, response.status_code)
        if marker:
            assert response.content.count(marker) >= minimum, (path, response.content.count(marker), minimum)
        responses.append(response)
    return responses


# PPKS -------------------------------------------------------------------------------------------------------


def test_ppks_list_national(client, users, django_assert_num_queries):
    """The capped count and the page of registrations (values joined to person, village, kecamatan); the
    category and directorate choices and labels come from memory (ppks/reference.py)."""
    registrations_add(users["regency"], FEW)
    client.force_login(users["analyst"])
    fixed_queries(django_assert_num_queries, client, "/ppks/", expected=REQUEST + 2, cold=False,
                  grow=lambda: registrations_add(users["regency"], MANY - FEW), marker=b'href="/ppks/registrasi/')


def test_ppks_list_kabupaten(client, users, django_assert_num_queries):
    registrations_add(users["regency"], FEW)
    client.force_login(users["regency"])
    fixed_queries(django_assert_num_queries, client, "/ppks/", expected=REQUEST + 2, cold=False,
                  grow=lambda: registrations_add(users["regency"], MANY - FEW), marker=b'href="/ppks/registrasi/')


def test_ppks_list_reference_data_cold(client, users, django_assert_num_queries):
    """With the cache emptied (no reference version to compare) categories and directorates load again:
    two queries more, whatever the rows."""
    registrations_add(users["regency"], FEW)
    client.force_login(users["regency"])
    fixed_queries(django_assert_num_queries, client, "/ppks/", expected=REQUEST + 4,
                  grow=lambda: registrations_add(users["regency"], MANY - FEW), marker=b'href="/ppks/registrasi/')


def test_ppks_list_with_filters(client, users, django_assert_num_queries):
    """Category, status, region (folded into the scope) and ordering add no query."""
    registrations_add(users["regency"], FEW * 3, verify=True)
    client.force_login(users["province"])
    params = {"category": "FM", "status": "verified", "region": "35.11", "ordering": "name"}
    fixed_queries(django_assert_num_queries, client, "/ppks/", params=params, expected=REQUEST + 2, cold=False,
                  grow=lambda: registrations_add(users["regency"], (MANY - FEW) * 3, verify=True),
                  marker=b'href="/ppks/registrasi/')


def test_registration_detail(client, users, django_assert_num_queries):
    registration = registrations_add(users["regency"], 1)[0]
    client.force_login(users["regency"])
    responses = fixed_queries(django_assert_num_queries, client, registration.get_absolute_url(),
                              expected=REQUEST + 2, grow=lambda: events_add(registration, users), rows=(0, 0))
    assert len(responses[-1].context["events"]) == 2 + MANY


def test_person_detail(client, users, django_assert_num_queries):
    """Counted with 3 and with 20 registrations of one person (and their change history).

    The page is still growing (personal-data history), so the test pins equality between the two
    renders and a ceiling rather than one number: the person, the history with the labels of the
    categories and directorates it names, the categories of the form, and the registrations.
    """
    person = registrations_add(users["regency"], 1)[0].person
    registrations_add(users["regency"], FEW - 1, person=person)
    client.force_login(users["regency"])
    fixed_queries(django_assert_num_queries, client, person.get_absolute_url(), expected=None, at_most=REQUEST + 8,
                  grow=lambda: registrations_add(users["regency"], 20 - FEW, person=person),
                  marker=b'href="/ppks/registrasi/', rows=(FEW, 20))


def test_verification_queue(client, users, django_assert_num_queries):
    registrations_add(users["regency"], FEW)
    client.force_login(users["regency"])
    fixed_queries(django_assert_num_queries, client, "/ppks/verifikasi/", expected=REQUEST + 2, cold=False,
                  grow=lambda: registrations_add(users["regency"], MANY - FEW), marker=b"/verify/")


def test_api_registrations_list(api_client, users, django_assert_num_queries):
    """One query for the page: values() of the registration and its person; category and directorate codes
    come from memory (ppks/reference.py)."""
    registrations_add(users["regency"], FEW, verify=True)
    api_client.force_authenticate(users["regency"])
    responses = fixed_queries(django_assert_num_queries, api_client, "/api/v1/registrations/",
                              expected=API_REQUEST + 1, cold=False,
                              grow=lambda: registrations_add(users["regency"], MANY - FEW, verify=True))
    assert len(responses[-1].json()["results"]) == MANY


def test_api_registration_detail(api_client, users, django_assert_num_queries):
    registration = registrations_add(users["regency"], 1)[0]
    api_client.force_authenticate(users["regency"])
    responses = fixed_queries(django_assert_num_queries, api_client,
                              "/api/v1/registrations/{}/".format(registration.pk), expected=API_REQUEST + 3,
                              grow=lambda: events_add(registration, users), rows=(0, 0))
    assert len(responses[-1].json()["events"]) == 2 + MANY


# Villages ---------------------------------------------------------------------------------------------------


def test_villages_browse_kecamatan(client, users, django_assert_num_queries):
    villages_import(FEW)
    client.force_login(users["regency"])
    fixed_queries(django_assert_num_queries, client, "/wilayah/35.11.01/", expected=REQUEST + 4,
                  grow=lambda: villages_import(MANY), marker=b'href="/wilayah/desa/35.11.01.')


def test_villages_browse_provinces(client, users, django_assert_num_queries):
    client.force_login(users["analyst"])
    fixed_queries(django_assert_num_queries, client, "/wilayah/", expected=REQUEST + 3,
                  grow=lambda: villages_import(MANY), rows=(0, 0))


def test_villages_search(client, users, django_assert_num_queries):
    """The villages, their phases and the cohort choices of the filter."""
    villages_import(FEW)
    client.force_login(users["regency"])
    fixed_queries(django_assert_num_queries, client, "/wilayah/cari/", params={"q": "Desa Uji"},
                  expected=REQUEST + 2 + PHASE, grow=lambda: villages_import(MANY),
                  marker=b'href="/wilayah/desa/35.11.01.')


def test_village_detail(client, users, django_assert_num_queries, villages):
    """The village with its path and phase, lokus years, cohorts, pillars and Pensosmas, and its three ancestors."""
    village = Village.objects.get(code="35.11.01.2001")

    def grow():
        for number in range(MANY):
            make_user("pendamping{}".format(number), "pensosmas", villages=[village.code])

    client.force_login(users["regency"])
    responses = fixed_queries(django_assert_num_queries, client, village.get_absolute_url(),
                              expected=REQUEST + 8 + PHASE,
                              grow=grow, rows=(0, 0))
    assert len(responses[-1].context["pensosmas"]) == MANY + 1


def test_api_villages(api_client, users, django_assert_num_queries):
    villages_import(FEW)
    api_client.force_authenticate(users["regency"])
    responses = fixed_queries(django_assert_num_queries, api_client, "/api/v1/villages/",
                              expected=API_REQUEST + 1 + PHASE,
                              grow=lambda: villages_import(MANY))
    assert len(responses[-1].json()["results"]) == MANY + 4
    fixed_queries(django_assert_num_queries, api_client, "/api/v1/villages/35.11.01.2001/",
                  expected=API_REQUEST + 5 + PHASE, grow=lambda: None, rows=(0, 0))
    villages_import(FEW)
    responses = fixed_queries(django_assert_num_queries, api_client, "/api/v1/regions/", params={"parent": "35.11.01"},
                              expected=API_REQUEST + 1, grow=lambda: villages_import(MANY))
    assert len(responses[-1].json()) == MANY + 2


# Assessments and action plans -------------------------------------------------------------------------------


@pytest.fixture
def programme(villages):
    """A function adding villages to the programme (validated baseline, approved plan, stages, funds)."""
    return lambda count: generate_programme(villages=count, province="35", year=2026)


def test_assessment_list(client, users, django_assert_num_queries, programme):
    programme(FEW)
    client.force_login(users["province"])
    fixed_queries(django_assert_num_queries, client, "/asesmen/", expected=REQUEST + 2,
                  grow=lambda: programme(MANY - FEW), marker=b'href="/asesmen/')


def test_assessment_detail_respondents(client, users, django_assert_num_queries):
    """A draft with 3, then 30 respondents: respondents and their answers load in two queries.

    The Pensosmas's scope costs one query; the completeness check reads indicators and answers again.
    """
    actor = users["pensosmas"]
    assessment = assessment_services.assessment_create(
        actor=actor, village=Village.objects.get(code="35.11.01.2001"), year=2026, phase="baseline")

    def respondents(count: int) -> None:
        assessment_services.answers_replace(assessment=assessment, actor=actor, rows=[
            {"name": person_name(number), "institution": "PKK", "answers": example_answers("r1")}
            for number in range(count)])

    respondents(FEW)
    client.force_login(actor)
    fixed_queries(django_assert_num_queries, client, assessment.get_absolute_url(), expected=REQUEST + 9,
                  grow=lambda: respondents(MANY), marker=b"/responden/")


def test_assessment_detail_scored(client, users, django_assert_num_queries, programme):
    """A validated assessment: its four dimension scores come in one query (not one per dimension), its
    administrative indicators' record values in another."""
    programme(1)
    assessment = Assessment.objects.get()
    client.force_login(users["province"])
    fixed_queries(django_assert_num_queries, client, assessment.get_absolute_url(), expected=REQUEST + 6,
                  grow=lambda: None, rows=(0, 0))


def test_mapping(client, users, django_assert_num_queries, programme):
    """The (cached) count of villages, the page, and the scores of the page in one query."""
    programme(FEW)
    client.force_login(users["province"])
    fixed_queries(django_assert_num_queries, client, "/asesmen/pemetaan/", expected=REQUEST + 3,
                  grow=lambda: programme(MANY - FEW), marker=b'href="/asesmen/desa/')


def test_action_plan_list(client, users, django_assert_num_queries, programme):
    programme(FEW)
    client.force_login(users["province"])
    fixed_queries(django_assert_num_queries, client, "/rencana/", expected=REQUEST + 2,
                  grow=lambda: programme(MANY - FEW), marker=b'href="/rencana/')


def test_action_plan_detail(client, users, django_assert_num_queries, programme):
    """Activities, spending and forms; counted with 3 and with 30 spending rows by different people."""
    from actionplans import services as plan_services
    from actionplans.models import ActionPlan

    programme(1)
    plan = ActionPlan.objects.get()
    activities = list(plan.activities.order_by("pk"))

    def spend(count: int) -> None:
        recorders = [users["regency"], users["province"]]
        for number in range(count):
            plan_services.spending_record(activity=activities[number % len(activities)],
                                          actor=recorders[number % 2], amount=Decimal(10_000),
                                          spent_on=datetime.date(2026, 5, 1), description="Konsumsi rapat")

    spend(FEW)
    client.force_login(users["province"])
    fixed_queries(django_assert_num_queries, client, plan.get_absolute_url(), expected=REQUEST + 10,
                  grow=lambda: spend(MANY - FEW), marker=b"Konsumsi rapat")


@pytest.mark.parametrize("role", ["analyst", "province", "regency"])
def test_programme_dashboard(client, users, django_assert_num_queries, programme, role):
    """Uncached (as right after a write): the cohort choices, then the villages with their names, their phases
    (with the evaluations of their plans), stages, tranches, plans by status, three sums and the pending
    schedule changes; the same with 3 or 30 villages."""
    programme(FEW)
    client.force_login(users[role])
    responses = fixed_queries(django_assert_num_queries, client, "/rencana/dasbor/", params={"year": 2026},
                              expected=REQUEST + 10 + PHASE, grow=lambda: programme(MANY - FEW))
    if role != "regency":
        assert responses[-1].context["data"]["villages"] == MANY


# Reports and home ---------------------------------------------------------------------------------------------


def test_report_list(client, users, django_assert_num_queries):
    requesters = [users["regency"], users["province"], users["analyst"]]

    def jobs_add(count):
        for number in range(count):
            ReportJob.objects.create(kind=ReportJob.Kind.REFERRAL_SUMMARY, region_code="35.11",
                                     requested_by=requesters[number % len(requesters)],
                                     parameters={"region_code": "35.11"}, state=ReportJob.State.DONE)

    jobs_add(FEW)
    client.force_login(users["province"])
    # the page of jobs and its count, the kab/kota names of the page's regions, the directorate names
    fixed_queries(django_assert_num_queries, client, "/reports/", expected=REQUEST + 4,
                  grow=lambda: jobs_add(MANY - FEW), marker=b'href="/reports/')


@pytest.mark.parametrize(("role", "own"), [
    # four region counts, registrations by status, referrals by state (one query); Dinas Sosial: the region's name
    # comes from the session (kept at sign-in for the header)
    ("admin", 6), ("analyst", 6), ("province", 6), ("regency", 6),
    ("pensosmas", 5),  # assigned villages (scope, then the list); tasks: drafts, rejected, assessments
    ("no_role", 0),
])
def test_home_dashboard_per_role(client, users, django_assert_num_queries, role, own):
    registrations_add(users["regency"], FEW)
    client.force_login(users[role])
    fixed_queries(django_assert_num_queries, client, "/", expected=REQUEST + own,
                  grow=lambda: registrations_add(users["regency"], MANY - FEW), rows=(0, 0))


def test_home_dashboard_pensosmas_villages(client, users, django_assert_num_queries, villages):
    pensosmas = users["pensosmas"]
    pensosmas.assigned_villages.set([line.split(",")[0] for line in EXTRA_VILLAGES[:FEW]])
    client.force_login(pensosmas)
    fixed_queries(django_assert_num_queries, client, "/", expected=REQUEST + 5,
                  grow=lambda: pensosmas.assigned_villages.set([line.split(",")[0] for line in EXTRA_VILLAGES]),
                  marker=b'href="/wilayah/desa/')


def test_home_dashboard_pensosmas_tasks(client, users, django_assert_num_queries):
    """The task list (drafts, rejected with reason) costs the same with 3 or 30 open registrations."""
    def tasks_add(count):
        start = Registration.objects.count()
        for serial in range(start, start + count):
            registration = register(users["pensosmas"], submit=True, name="Warga {}".format(serial), kk_number="",
                                    nik="351101520385{:04d}".format(serial + 1))
            ppks_services.registration_transition(registration=registration, action="reject", actor=users["regency"],
                                                  note="Data belum lengkap")

    tasks_add(FEW)
    client.force_login(users["pensosmas"])
    fixed_queries(django_assert_num_queries, client, "/", expected=REQUEST + 5, grow=lambda: tasks_add(MANY - FEW),
                  marker=b'class="task task-rejected"', rows=(FEW, 20))  # 20 shown, then a link to all

@pytest.mark.parametrize("role", ["analyst", "province", "regency", "pensosmas"])
def test_programme_dashboard_cached(client, users, django_assert_num_queries, programme, role):
    """Cached figures (issue 21): once the scope's figures are computed the page has no query of its own (the
    cohort choices and the latest lokus year are cached per scope too, a Pensosmas's villages are read for the
    scope); the late stages are paged LATE_PAGE_SIZE at a time, as rows built for the page only."""
    from actionplans.views import LATE_PAGE_SIZE
    from config.rows import Row

    programme(MANY)
    user = users[role]
    if role == "pensosmas":
        user.assigned_villages.set(Village.objects.filter(action_plans__year=2026).values_list("code", flat=True))
    client.force_login(user)
    own = 1 if role == "pensosmas" else 0
    for params in ({"year": 2026}, {}):
        responses = fixed_queries(django_assert_num_queries, client, "/rencana/dasbor/", params=params,
                                  expected=REQUEST + own, cold=False, grow=lambda: None, rows=(0, 0))
    context = responses[-1].context
    late = context["late"]
    assert context["data"]["villages"] == (MANY if role != "regency" else
                                           Village.objects.filter(action_plans__year=2026, code__startswith="35.11.")
                                           .count())
    assert late.paginator.count == context["data"]["late_count"]
    assert len(late) <= LATE_PAGE_SIZE
    assert all(isinstance(row, Row) and row.stage_label and row.state_label for row in late)


def test_programme_figures_are_plain_values(users, programme):
    """What the cache holds for the dashboard: codes, numbers and dates, never a model instance or a lazily
    translated label (each unpickled proxy builds a class; labels are looked up per request instead)."""
    import pickle

    from actionplans.selectors import LATE_FIELDS, _programme_figures

    programme(MANY)
    figures = _programme_figures(user=users["province"], year=2026, today=datetime.date(2026, 12, 31),
                                 cohort_id=None)
    pickled = pickle.dumps(figures)
    for marker in (b"_lazy_proxy_unpickle", b"model_unpickle", b"django"):
        assert marker not in pickled
    assert figures["late_stages"]
    assert all(len(item) == len(LATE_FIELDS) for item in figures["late_stages"])


@pytest.mark.parametrize(("role", "own"), [
    # the village (with its Pokja, asset counts and latest years), the Pokja's members, the year's tranches and
    # their revisions, the plans (with their stimulus spending), the phase (lokus and cohorts, plans,
    # assessments, stages, evaluations; then the active override), the year's stages and their change
    # requests, the monitoring visits
    ("analyst", 14),
    ("province", 15), ("regency", 15),  # and the assessments offered by the new-plan form
    ("pensosmas", 16),  # and the Pensosmas's villages, read for the scope
])
def test_village_programme_hub(client, users, django_assert_num_queries, villages, role, own):
    """A fully populated village (issue 21): the same queries with more members, assets, tranches, change
    requests and visits (tests/actionplans/hub_data.py)."""
    from actionplans import services as plan_services
    from actionplans.models import ActionPlan
    from tests.actionplans.hub_data import hub_village_populate

    village = hub_village_populate(planner=users["regency"], approver=users["province"], members=FEW, assets=FEW,
                                   visits=FEW)
    users["pensosmas"].assigned_villages.add(village)
    plan = ActionPlan.objects.get(village=village, year=2026)

    def grow():
        pokja = village.pokja
        for number in range(MANY):
            plan_services.pokja_member_save(pokja=pokja, actor=users["regency"], data={
                "name": "Warga {}".format(number), "role": "anggota", "origin": "formal", "institution": "RT 01",
                "sex": "L", "active": True})
            plan_services.asset_save(village=village, actor=users["regency"], data={
                "kind": "ekonomi", "name": "Warung {}".format(number), "leaky_bucket": number % 2 == 0,
                "low_hanging_fruit": number % 3 == 0})
            plan_services.monitoring_record(village=village, actor=users["regency"], plan=plan,
                                            visited_on=datetime.date(2026, 6, 1) + datetime.timedelta(days=number),
                                            findings="Kunjungan tambahan {}".format(number))
        for number in range(4, 4 + FEW):
            plan_services.tranche_plan(village=village, year=2026, actor=users["province"], number=number,
                                       planned_amount=Decimal(1_000_000), planned_date=datetime.date(2026, 12, 1))

    client.force_login(users[role])
    responses = fixed_queries(django_assert_num_queries, client, "/rencana/desa/{}/".format(village.code),
                              expected=REQUEST + own, grow=grow, rows=(0, 0))
    context = responses[-1].context
    assert context["year"] == 2026
    assert len(context["tranches"]) == 3 + FEW
    assert context["asset_count"] > MANY
    assert len(context["visits"]) == 20
