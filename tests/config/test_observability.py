"""Observability: JSON logs with request and user ids (never a NIK), Prometheus metrics, error tracking."""

import io
import json
import logging

import pytest
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from config.celery import app
from config.error_tracking import init_error_tracking
from config.log_filters import MaskedJsonFormatter, MaskNikFilter, RequestContextFilter
from ppks import services as ppks_services
from tests.ppks.test_import import csv_file, row

pytestmark = pytest.mark.django_db
TOKEN = "token-metrik-uji-0123456789"


@app.task(name="tests.observability.fails")
def failing_task():
    raise RuntimeError("gagal disengaja")


def scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer " + TOKEN)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.content.decode())
            for sample in family.samples}


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def metrics_token(settings):
    settings.SIDBS_METRICS_TOKEN = TOKEN


def test_metrics_need_the_token_and_stay_hidden_without_it(client, users, settings, metrics_token):
    assert client.get("/metrics").status_code == 404
    for user in users.values():  # no role opens it: signed-in administrators neither
        client.force_login(user)
        assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer salah").status_code == 404
    settings.SIDBS_METRICS_TOKEN = ""
    settings.DEBUG = False
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer " + TOKEN).status_code == 404


def test_metrics_count_requests_tasks_and_jobs(client, users, metrics_token):
    before = scrape(client)
    # when: requests, a task that succeeds, one that fails, and an import job
    for _ in range(3):
        client.get("/healthz")
    client.get("/tidak-ada/")
    app.tasks["ppks.apply_retention"].delay()
    failing_task.apply(throw=False)  # as a worker runs it: the failure is recorded, not raised
    ppks_services.registration_import_create(actor=users["regency"], upload=csv_file([row()]))
    after = scrape(client)

    # then
    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("sidbs_http_requests_total", method="GET", view="healthz", status="200") == 3
    assert delta("sidbs_http_requests_total", method="GET", view="<unmatched>", status="404") == 1
    assert delta("sidbs_http_request_duration_seconds_count", method="GET", view="healthz") == 3
    assert delta("sidbs_celery_tasks_queued_total", task="ppks.apply_retention", queue="eager") == 1
    assert delta("sidbs_celery_tasks_finished_total", task="ppks.apply_retention", outcome="succeeded") == 1
    assert delta("sidbs_celery_tasks_finished_total", task="tests.observability.fails", outcome="failed") == 1
    assert delta("sidbs_celery_task_duration_seconds_count", task="ppks.apply_retention") == 1
    assert value(after, "sidbs_celery_tasks_running", task="ppks.apply_retention") == 0
    assert value(after, "sidbs_import_jobs", state="done") == 1
    assert value(after, "sidbs_report_jobs", state="failed") == 0
    assert ("sidbs_report_jobs", (("state", "queued"),)) in after


def json_lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


@pytest.fixture
def json_log():
    """The production log handler (JSON, NIK mask, request context) on the root logger, into a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(MaskedJsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s "
                                             "%(user_id)s"))
    handler.addFilter(MaskNikFilter())
    handler.addFilter(RequestContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = logging.getLogger("sidbs.request").level
    logging.getLogger("sidbs.request").setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    logging.getLogger("sidbs.request").setLevel(level)


def test_json_access_log_names_request_and_user_ids_never_a_nik(client, users, settings, json_log):
    settings.SIDBS_REQUEST_LOG = True
    client.force_login(users["regency"])
    response = client.get(reverse("ppks:list"), {"q": "3511015203850003"}, HTTP_X_REQUEST_ID="proxy-id-12345")
    assert response["X-Request-ID"] == "proxy-id-12345"
    [line] = [entry for entry in json_lines(json_log) if entry["logger"] == "sidbs.request"]
    assert line["request_id"] == "proxy-id-12345"
    assert line["user_id"] == users["regency"].pk
    assert (line["method"], line["path"], line["status"], line["view"]) == (
        "GET", "/ppks/", response.status_code, "ppks:list")
    assert "3511015203850003" not in json_log.getvalue()
    assert "username" not in line


def test_a_bad_or_missing_request_id_is_replaced(client):
    generated = client.get("/healthz")["X-Request-ID"]
    assert len(generated) == 32
    assert client.get("/healthz", HTTP_X_REQUEST_ID="a b<script>")["X-Request-ID"] != "a b<script>"


def test_log_lines_inside_a_request_and_its_tasks_carry_the_ids(client, users, settings, json_log):
    logger = logging.getLogger("tests.observability")
    client.force_login(users["pensosmas"])

    @app.task(name="tests.observability.logs")
    def logging_task(nik):
        logger.warning("tugas untuk %s", nik)

    from config.request_context import request_id_var, user_id_var

    id_token, user_token = request_id_var.set("permintaan-uji-1"), user_id_var.set(users["pensosmas"].pk)
    try:
        logging_task.delay("3511015203850003")
    finally:
        request_id_var.reset(id_token)
        user_id_var.reset(user_token)
    [line] = [entry for entry in json_lines(json_log) if entry["logger"] == "tests.observability"]
    assert line["message"] == "tugas untuk 3511********0003"
    assert (line["request_id"], line["user_id"]) == ("permintaan-uji-1", users["pensosmas"].pk)
    try:
        raise ValueError("NIK 3511015203850003 tidak sah")
    except ValueError:
        logger.exception("gagal")
    assert "3511015203850003" not in json_log.getvalue()
    assert "3511********0003 tidak sah" in json_lines(json_log)[-1]["exc_info"]


def capturing_transport():
    """A transport class that keeps what the SDK would send instead of sending it."""
    from sentry_sdk.transport import Transport

    class Captured(Transport):
        envelopes = []

        def capture_envelope(self, envelope):
            self.envelopes.append(envelope)

    return Captured


def captured_events(transport) -> list[dict]:
    return [item.payload.json for envelope in transport.envelopes for item in envelope.items
            if item.headers.get("type") == "event"]


@pytest.fixture
def error_tracking():
    import sentry_sdk

    transport = capturing_transport()
    assert init_error_tracking(dsn="https://publik@127.0.0.1:9/1", environment="uji", transport=transport)
    yield transport
    sentry_sdk.get_global_scope().set_client(None)  # as before the test: no client, nothing recorded
    assert not sentry_sdk.get_client().is_active()


def test_error_tracking_is_off_without_a_dsn():
    import sentry_sdk

    assert init_error_tracking(dsn="", environment="uji") is False
    assert not sentry_sdk.get_client().is_active()


def test_errors_reach_the_tracker_with_ids_and_without_personal_data(client, users, settings, error_tracking):
    import sentry_sdk

    settings.ROOT_URLCONF = "tests.config.urls_failing"
    client.raise_request_exception = False
    client.force_login(users["regency"])
    response = client.get("/uji-gagal/", HTTP_X_REQUEST_ID="permintaan-gagal-1")
    assert response.status_code == 500
    sentry_sdk.flush()
    [event] = captured_events(error_tracking)
    text = json.dumps(event)
    assert "3511015203850003" not in text
    assert "3511********0003" in text
    assert event["tags"]["request_id"] == "permintaan-gagal-1"
    assert event["user"] == {"id": str(users["regency"].pk)}
    assert "cookies" not in event.get("request", {})
    assert users["regency"].username not in text
