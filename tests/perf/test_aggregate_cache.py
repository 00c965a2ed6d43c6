"""Cached dashboard figures: shared per region scope, invalidated by the services that change them."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.scoping import scope_of
from actionplans import services as plan_services
from config.caching import aggregates_changed, cached_aggregate
from dimensions import services as assessment_services
from ppks import services as ppks_services
from ppks.models import Registration
from reports.demo_data import generate_programme
from tests.conftest import make_user
from tests.dimensions.conftest import instrument, make_assessment  # noqa: F401 - fixtures reused here
from tests.perf.test_query_counts import REQUEST, registrations_add, villages_import
from villages.models import Village

pytestmark = pytest.mark.django_db


def queries_for(client, path, params=None) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params or {})
    assert response.status_code == 200
    return len(captured), response


def status_count(response, status: str) -> int:
    return {code: total for code, _label, total in response.context["registrations"]}[status]


def test_scope_keys_are_shared_by_scope_not_by_user(users):
    colleague = make_user("bondowoso2", "dinsos_kabupaten", "35.11")
    assert scope_of(colleague).cache_key == scope_of(users["regency"]).cache_key == "region-35.11"
    assert scope_of(users["other_regency"]).cache_key == "region-35.12"
    assert scope_of(users["analyst"]).cache_key == scope_of(users["admin"]).cache_key == "national"
    assert scope_of(users["pensosmas"]).cache_key.startswith("villages-")
    assert scope_of(users["pensosmas"]).cache_key != scope_of(users["pensosmas_without_villages"]).cache_key
    assert scope_of(users["no_role"]).cache_key == "empty"


def test_cached_aggregate_recomputes_only_after_its_domain_changes(users):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    colleague = make_user("bondowoso2", "dinsos_kabupaten", "35.11")
    assert cached_aggregate("uji", user=users["regency"], domains=("ppks",), compute=compute) == 1
    assert cached_aggregate("uji", user=colleague, domains=("ppks",), compute=compute) == 1
    assert cached_aggregate("uji", user=users["other_regency"], domains=("ppks",), compute=compute) == 2
    aggregates_changed("programme")
    assert cached_aggregate("uji", user=users["regency"], domains=("ppks",), compute=compute) == 1
    aggregates_changed("ppks")
    assert cached_aggregate("uji", user=users["regency"], domains=("ppks",), compute=compute) == 3
    assert cached_aggregate("uji", user=users["regency"], domains=("ppks",), compute=compute, params=(2026,)) == 4
    with pytest.raises(ValueError, match="tidak dikenal"):
        aggregates_changed("ppsk")


def test_home_dashboard_second_render_is_cheaper_and_a_new_registration_shows(client, users):
    registrations_add(users["regency"], 2)
    client.force_login(users["regency"])
    first, response = queries_for(client, "/")
    assert status_count(response, "submitted") == 2
    assert response.context["summary"]["villages"] == 4
    second, response = queries_for(client, "/")
    assert second == first - 6  # four region counts, the status counts and the referral counts: cached
    assert status_count(response, "submitted") == 2

    registrations_add(users["regency"], 1)
    third, response = queries_for(client, "/")
    assert status_count(response, "submitted") == 3
    assert third == first - 4  # regions still cached; the PPKS figures (statuses, referrals) were recomputed

    ppks_services.registration_transition(registration=Registration.objects.filter(status="submitted").first(),
                                          action="verify", actor=users["regency"])
    _count, response = queries_for(client, "/")
    assert (status_count(response, "submitted"), status_count(response, "verified")) == (2, 1)


def test_colleagues_share_the_cached_dashboard(client, users):
    registrations_add(users["regency"], 1)
    client.force_login(users["regency"])
    first, _response = queries_for(client, "/")
    client.force_login(make_user("bondowoso2", "dinsos_kabupaten", "35.11"))
    colleague, response = queries_for(client, "/")
    assert colleague == first - 6
    assert status_count(response, "submitted") == 1
    client.force_login(users["other_regency"])
    other, response = queries_for(client, "/")
    assert other == first
    assert status_count(response, "submitted") == 0


def test_region_import_refreshes_the_region_summary(client, users):
    client.force_login(users["regency"])
    assert queries_for(client, "/")[1].context["summary"]["villages"] == 4
    villages_import(3)
    assert queries_for(client, "/")[1].context["summary"]["villages"] == 7


def outside_programme() -> Village:
    """A Kab. Bondowoso village that ``generate_programme`` did not pick."""
    return Village.objects.filter(code__startswith="35.11.").exclude(action_plans__year=2026).order_by("code").first()


@pytest.fixture
def programme(users):
    villages_import(6)
    generate_programme(villages=2, province="35", year=2026)


def test_programme_dashboard_is_cached_and_refreshed_by_plan_approval(client, users, programme):
    client.force_login(users["province"])
    first, response = queries_for(client, "/rencana/dasbor/", {"year": 2026})
    assert response.context["data"]["villages"] == 2
    second, response = queries_for(client, "/rencana/dasbor/", {"year": 2026})
    assert second < first
    # the cohort choices; villages; their phases (lokus and cohorts, plans, assessments, stages, overrides,
    # evaluations); stages, tranches, plans by status, three sums, pending changes: the second request has only
    # the queries of every signed-in request
    assert second == first - 15 == REQUEST
    assert dict(response.context["data"]["plans_by_status"]) == {"Disetujui": 2}

    village = outside_programme()
    plan_services.plan_create(village=village, year=2026, actor=users["regency"])
    _count, response = queries_for(client, "/rencana/dasbor/", {"year": 2026})
    assert dict(response.context["data"]["plans_by_status"]) == {"Disetujui": 2, "Draf": 1}
    tranche = plan_services.tranche_plan(village=village, year=2026, actor=users["regency"], number=1,
                                         planned_amount=Decimal(7_000_000), planned_date=datetime.date(2026, 3, 1))
    plan_services.tranche_receive(tranche=tranche, actor=users["regency"], amount=Decimal(7_000_000),
                                  received_on=datetime.date(2026, 3, 1), reference="UJI/1",
                                  receipt_note="Dana tahap awal sebelum rencana disetujui (uji)")
    _count, response = queries_for(client, "/rencana/dasbor/", {"year": 2026})
    assert response.context["data"]["received"] == Decimal(27_000_000)


def test_mapping_count_is_cached_and_refreshed_by_validation(client, users, programme, make_assessment):  # noqa: F811
    client.force_login(users["province"])
    first, response = queries_for(client, "/asesmen/pemetaan/")
    assert response.context["page"].paginator.count == 2
    second, _response = queries_for(client, "/asesmen/pemetaan/")
    assert second == first - 1
    _count, response = queries_for(client, "/asesmen/pemetaan/", {"region": "35.12"})
    assert response.context["page"].paginator.count == 0  # other filters, another cached count

    assessment = make_assessment(actor="regency", village=outside_programme().code, submit=True)
    assessment_services.assessment_validate(assessment=assessment, actor=users["regency"])
    _count, response = queries_for(client, "/asesmen/pemetaan/")
    assert response.context["page"].paginator.count == 3
    assert len(response.context["rows"]) == 3


def test_programme_dashboard_follows_a_new_lokus_an_assessment_and_a_finished_stage(client, users, programme):
    """Each write changes the cached figures on the very next request (not after the cache expires)."""
    from actionplans.models import ProgrammeStage
    from dimensions.models import Assessment
    from villages import services as village_services

    client.force_login(users["province"])

    def figures() -> dict:
        data = queries_for(client, "/rencana/dasbor/", {"year": 2026})[1].context["data"]
        return {**data, "phase": {code: total for _label, code, total in data["phases"]},
                "done": dict(data["stage_progress"])}

    before = figures()
    assert before["villages"] == 2
    village = outside_programme()
    village_services.village_profile_update(village=village, actor=users["regency"], notes="", lokus_years=[2026])
    after_lokus = figures()
    assert after_lokus["villages"] == 3
    assert after_lokus["phase"]["penjajagan"] == before["phase"]["penjajagan"] + 1

    assessment_services.assessment_create(actor=users["regency"], village=village, year=2026,
                                          phase=Assessment.Phase.BASELINE)
    after_assessment = figures()
    assert after_assessment["phase"]["look"] == before["phase"]["look"] + 1
    assert after_assessment["phase"]["penjajagan"] == before["phase"]["penjajagan"]

    today = timezone.localdate()
    stage = (ProgrammeStage.objects.filter(year=2026, actual_end__isnull=True, planned_end__lt=today)
             .exclude(stage=ProgrammeStage.Stage.STIMULUS_TRANSFER).order_by("village_id", "order").first())
    assert stage is not None, "the generated programme has an overdue stage"
    label = ProgrammeStage.Stage(stage.stage).label
    plan_services.stage_update(stage=stage, actor=users["regency"], data={"actual_end": today})
    after_stage = figures()
    assert after_stage["overdue"] == after_assessment["overdue"] - 1
    assert after_stage["done"][label] == after_assessment["done"][label] + 1
    late = queries_for(client, "/rencana/dasbor/", {"year": 2026})[1].context["late"]
    assert [row.state for row in late if row.stage_pk == stage.pk] == ["done_late"]
