"""The figures kept per region: equal to counting the database, refreshed after writes, incremental = full."""

import datetime

import pytest
from django.db import connection

from dimensions.models import Assessment
from maps import services
from maps.models import FiguresRefresh, RegionFigures
from ppks import services as ppks_services
from ppks.models import Registration
from tests.maps.conftest import put
from villages.models import LokusYear, Village

pytestmark = pytest.mark.django_db


def figures(code: str) -> dict:
    return RegionFigures.objects.get(code=code).figures


def counted(prefix: str, **filters) -> int:
    queryset = Registration.objects.filter(**filters)
    if prefix:
        queryset = queryset.filter(village__code__startswith=prefix + ".")
    return queryset.count()


@pytest.mark.parametrize("code", ["", "35", "35.11", "35.11.01", "35.11.02", "35.12", "33.73.04"])
def test_status_counts_equal_the_database_at_every_level(map_data, code):
    for status in Registration.Status.values:
        assert figures(code).get("status", {}).get(status, 0) == counted(code, status=status), status


def test_category_directorate_and_people_count_recorded_registrations_only(map_data):
    national = figures("")
    recorded = Registration.objects.exclude(status__in=["draft", "rejected"])
    assert national["category"] == {"FM": 8, "LUT": 2, "AT": 1, "PRSE": 1}
    assert sum(national["directorate"].values()) == recorded.count() == 12
    assert national["persons"] == recorded.values("person").distinct().count()
    assert figures("35.11.01")["category"]["FM"] == 5  # the draft in Sucolor is not counted


def test_village_inputs_index_programme_and_overdue(map_data):
    district = figures("35.11.01")
    assert district["villages"] == Village.objects.filter(district_id="35.11.01", active=True).count() == 2
    assert district["programme"] == 1
    assert figures("35.11")["programme"] == 2
    assessment = Assessment.objects.get(village_id="35.11.01.2001", status="validated")
    assert district["index"] == {"sum": float(assessment.overall_index), "n": 1}
    assert district["bands"] == {assessment.band: 1}
    assert sum(district["hist"]) == 1
    assert district["hist"][int(assessment.overall_index * 10)] == 1
    assert district["overdue"] == 1
    assert figures("35.11")["cohorts"] == {"2025": {"villages": 2}}
    assert figures("")["unanswered"] == {"total": 1, "overdue": 0}


def test_series_are_kept_per_kab_kota_and_summed_above(map_data):
    month = datetime.date.today().strftime("%Y-%m")
    regency, national = figures("35.11"), figures("")
    assert regency["monthly"][month]["submitted"] == 9  # every non-draft registration of Bondowoso was submitted
    assert national["monthly"][month]["submitted"] == counted("", submitted_at__isnull=False)
    assert national["answer_days"] == {"0": 1}
    assert "monthly" not in figures("35.11.01")  # kecamatan series are counted live by the pages


def move_watermark_to_now() -> None:
    """As if the last refresh had started now with no margin (the fixture's own writes are older)."""
    FiguresRefresh.objects.update(watermark=datetime.datetime.now(tz=datetime.UTC))


def test_an_incremental_refresh_recounts_only_what_changed_and_matches_a_full_one(map_data):
    move_watermark_to_now()
    registration = put(map_data, "35.12.01.2001", "submitted", "AT")
    ppks_services.registration_transition(registration=registration, action="verify", actor=map_data["admin"])
    result = services.figures_refresh()
    assert result.kind == "changes"
    assert result.districts == 1
    assert figures("35.12")["status"]["verified"] == 1
    assert figures("")["status"]["submitted"] == 8
    incremental = dict(RegionFigures.objects.values_list("code", "figures"))
    services.figures_refresh(full=True)
    assert dict(RegionFigures.objects.values_list("code", "figures")) == incremental


def test_a_new_lokus_year_is_found_without_any_registration_change(map_data):
    move_watermark_to_now()
    LokusYear.objects.create(village_id="33.73.04.1001", year=2026)
    result = services.figures_refresh()
    assert figures("33")["programme"] == 1
    assert figures("")["programme"] == 3
    assert result.districts == 1


def test_nothing_changed_means_nothing_rewritten(map_data):
    move_watermark_to_now()
    assert services.figures_refresh().districts == 0


def test_a_committed_write_refreshes_the_figures(map_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        put(map_data, "33.73.04.1001", "submitted", "FM")
    assert figures("33")["status"]["submitted"] == 2


def test_a_failing_refresh_never_fails_the_write(map_data, django_capture_on_commit_callbacks, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("basis data sibuk")

    monkeypatch.setattr(services, "figures_refresh", broken)
    with django_capture_on_commit_callbacks(execute=True):
        registration = put(map_data, "33.73.04.1001", "submitted", "FM")
    assert Registration.objects.filter(pk=registration.pk).exists()


def test_with_a_broker_one_task_is_scheduled_per_window(map_data, settings, monkeypatch):
    from maps import tasks

    settings.CELERY_TASK_ALWAYS_EAGER = False
    calls = []
    monkeypatch.setattr(tasks.figures_refresh_task, "apply_async", lambda **kwargs: calls.append(kwargs))
    services.figures_refresh_schedule()
    services.figures_refresh_schedule()
    assert calls == [{"countdown": settings.SIDBS_MAP_REFRESH_DELAY}]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_second_refresh_while_one_runs_returns_busy(regions):
    import threading

    services.figures_refresh(full=True)
    started, release = threading.Event(), threading.Event()
    results = []

    def hold_lock():
        from django.db import connections, transaction

        try:
            with transaction.atomic():
                FiguresRefresh.objects.select_for_update().get(pk=1)
                started.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    started.wait(10)
    try:
        results.append(services.figures_refresh())
    finally:
        release.set()
        holder.join()
    assert results[0].busy


def test_the_next_refresh_looks_back_by_the_clock_margin(map_data, settings):
    settings.SIDBS_MAP_REFRESH_MARGIN_SECONDS = 120
    started = datetime.datetime.now(tz=datetime.UTC)
    assert services._next_watermark(started) <= started - datetime.timedelta(seconds=120)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_stat_activity is PostgreSQL's")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_transaction_still_open_holds_the_watermark_back(regions, settings):
    """A long import that began before the refresh and commits after it is counted by the next refresh."""
    import threading

    settings.SIDBS_MAP_REFRESH_MARGIN_SECONDS = 0
    opened, release = threading.Event(), threading.Event()
    began = []

    def long_transaction():
        from django.db import connections, transaction

        try:
            with transaction.atomic():
                with connections["default"].cursor() as cursor:
                    cursor.execute("SELECT now()")
                    began.append(cursor.fetchone()[0])
                opened.set()
                release.wait(10)
        finally:
            connections.close_all()

    worker = threading.Thread(target=long_transaction)
    worker.start()
    opened.wait(10)
    try:
        mark = services._next_watermark(datetime.datetime.now(tz=datetime.UTC))
    finally:
        release.set()
        worker.join()
    assert mark <= began[0]
