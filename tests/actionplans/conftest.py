import datetime
from decimal import Decimal

import pytest

from actionplans import services
from dimensions import services as dimension_services
from tests.dimensions.conftest import instrument, make_assessment  # noqa: F401 - fixtures reused here
from villages.models import Village


@pytest.fixture
def validated_baseline(make_assessment, users):  # noqa: F811
    assessment = make_assessment(submit=True)
    return dimension_services.assessment_validate(assessment=assessment, actor=users["regency"])


@pytest.fixture
def plan(users, validated_baseline):
    return services.plan_create(village=Village.objects.get(code="35.11.01.2001"), year=2026,
                                actor=users["pensosmas"])


def activity_data(plan, **overrides) -> dict:
    dimension = plan.assessment.instrument.dimensions.get(number=3)
    data = {
        "dimension": dimension, "indicators": list(dimension.indicators.filter(code__in=["3.2", "3.4"])),
        "title": "Pelatihan mediator desa", "description": "", "target_group": "Tokoh masyarakat",
        "start_date": datetime.date(2026, 3, 1), "end_date": datetime.date(2026, 3, 31),
        "budget": Decimal("5000000"), "fund_source": "stimulan", "responsible_person": "Ketua Pokja",
    }
    data.update(overrides)
    return data


@pytest.fixture
def approved_plan(plan, users):
    services.activity_save(plan=plan, actor=users["pensosmas"], data=activity_data(plan))
    services.plan_submit(plan=plan, actor=users["pensosmas"])
    return services.plan_review(plan=plan, actor=users["regency"], approve=True)
