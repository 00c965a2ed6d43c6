"""Property-based API tests: schemathesis generates requests from the OpenAPI schema drf-spectacular serves.

The document is the one ``/api/schema/`` serves (a test checks they are identical); the requests
go to the in-process WSGI application (no server). Every operation is called with a bounded,
reproducible set of generated requests, as a Dinas Sosial kabupaten user whose region holds a
small dataset. Each response must not be a server error, must use a status code and content type
the schema documents, and must match the documented body.
"""

import datetime
import os

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

from config.wsgi import application
from ppks import services as ppks_services
from tests.api.openapi import served_schema
from tests.dimensions.conftest import example_answers
from tests.ppks.factories import register
from villages.models import Village

TEST_HOSTS = ["localhost", "testserver"]
# Generated requests per operation and mode. CI keeps the default and the same examples on every run;
# SIDBS_API_FUZZ_EXAMPLES=200 makes a deeper, random local search (a failure prints how to reproduce it).
MAX_EXAMPLES = int(os.environ.get("SIDBS_API_FUZZ_EXAMPLES", "10"))
DERANDOMIZE = "SIDBS_API_FUZZ_EXAMPLES" not in os.environ

schema = schemathesis.openapi.from_dict(served_schema())
schema.app = application

# Ids and codes of the rows the dataset fixture created, so generated paths often hit real objects.
KNOWN = {"id": [], "code": []}

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.specs.openapi.checks.status_code_conformance,
    schemathesis.specs.openapi.checks.content_type_conformance,
    schemathesis.specs.openapi.checks.response_schema_conformance,
]


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half of the generated ``{id}`` / ``{code}`` values are replaced by ones that exist."""
    strategies = {}
    for name, value in (path_parameters or {}).items():
        if KNOWN.get(name):
            strategies[name] = st.one_of(st.just(value), st.sampled_from(KNOWN[name]))
        else:
            strategies[name] = st.just(value)
    return st.fixed_dictionaries(strategies)


@pytest.fixture
def keep_test_connection():
    """Stop Django closing the test's database connection after each request, as its test client does.

    Schemathesis calls the WSGI application directly; at request end Django closes a connection
    that is inside a transaction (the test's), which would end the test's PostgreSQL session.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_dataset(users, settings, keep_test_connection):
    """Registrations, assessments, a plan, stages and a visit in Kab. Bondowoso, one registration outside it."""
    from actionplans import services as plan_services
    from dimensions import services as dimension_services

    settings.ALLOWED_HOSTS = TEST_HOSTS
    # Hundreds of calls per operation: lift the rate limits (tests/api/test_throttling.py covers them).
    settings.SIDBS_RATE_LIMITS = dict.fromkeys(settings.SIDBS_RATE_LIMITS)
    pensosmas, regency = users["pensosmas"], users["regency"]
    sucolor = Village.objects.get(code="35.11.01.2001")
    draft = register(pensosmas)
    submitted = register(pensosmas, submit=True, nik="3511011006800001", name="Budi Santoso", sex="L",
                         birth_date=datetime.date(1980, 6, 10))
    verified = ppks_services.registration_transition(
        registration=register(regency, submit=True, nik="3511021712700005", name="Ahmad Dahlan", sex="L",
                              birth_date=datetime.date(1970, 12, 17), category="PRSE",
                              village=Village.objects.get(code="35.11.02.2001")),
        action="verify", actor=regency)
    outside = register(users["other_regency"], nik="3512011203850007", name="Orang Situbondo",
                       village=Village.objects.get(code="35.12.01.2001"))
    assessment = dimension_services.assessment_create(actor=pensosmas, village=sucolor, year=2026, phase="baseline")
    dimension_services.answers_replace(assessment=assessment, actor=pensosmas, rows=[
        {"name": "Ibu Siti", "institution": "PKK", "answers": example_answers("r1")},
        {"name": "Pak Darmo", "institution": "Karang Taruna", "answers": example_answers("r2")},
    ])
    assessment = dimension_services.assessment_submit(assessment=assessment, actor=pensosmas)
    assessment = dimension_services.assessment_validate(assessment=assessment, actor=regency)
    draft_assessment = dimension_services.assessment_create(actor=pensosmas, village=sucolor, year=2027,
                                                            phase="endline")
    plan = plan_services.plan_create(village=sucolor, year=2026, actor=pensosmas)
    stages = plan_services.stages_initialise(village=sucolor, year=2026, actor=regency)
    visit = plan_services.monitoring_record(village=sucolor, actor=regency, visited_on=datetime.date(2026, 1, 5),
                                            findings="Pokja aktif")
    KNOWN["id"] = sorted({draft.pk, submitted.pk, verified.pk, outside.pk, draft.person_id, verified.person_id,
                          assessment.pk, draft_assessment.pk, plan.pk, stages[0].pk, visit.pk})
    KNOWN["code"] = ["35.11.01.2001", "35.12.01.2001", "FM", "PRSE"]
    yield Token.objects.create(user=regency)
    KNOWN["id"], KNOWN["code"] = [], []


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, derandomize=DERANDOMIZE, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, api_dataset):
    case.call_and_validate(headers={"Authorization": "Token " + api_dataset.key}, checks=CHECKS)


@pytest.mark.django_db
def test_the_tested_schema_is_the_served_one(client):
    """The document under test is exactly what ``/api/schema/`` serves."""
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert response.json() == served_schema()


def test_schema_is_valid_openapi_without_warnings(tmp_path):
    """``manage.py spectacular --validate --fail-on-warn`` stays clean (a warning fails the command)."""
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert target.read_text().startswith("openapi: 3.0.3")
