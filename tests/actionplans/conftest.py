import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from actionplans import services
from dimensions import services as dimension_services
from tests.dimensions.conftest import instrument, make_assessment  # noqa: F401 - fixtures reused here
from villages.models import Village


def moment(year: int, month: int, day: int, hour: int = 9) -> datetime.datetime:
    """An aware time in the project's time zone (Asia/Jakarta)."""
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


@pytest.fixture
def validated_baseline(make_assessment, users):  # noqa: F811
    """Sucolor's 2026 baseline, submitted 10 January and validated 15 January 2026."""
    assessment = make_assessment(submit=True, submitted_at=moment(2026, 1, 10))
    return dimension_services.assessment_validate(assessment=assessment, actor=users["regency"],
                                                  at=moment(2026, 1, 15))


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
    """The plan with one stimulus-funded activity, approved on 1 February 2026."""
    services.activity_save(plan=plan, actor=users["pensosmas"], data=activity_data(plan))
    services.plan_submit(plan=plan, actor=users["pensosmas"])
    return services.plan_review(plan=plan, actor=users["regency"], approve=True, at=moment(2026, 2, 1))


def receive_tranche(plan, actor, *, number: int = 1, amount: int = 3_000_000, on=datetime.date(2026, 2, 10),
                    reference: str = "BAST/STM/2026/001", **extra):
    """Plan a tranche of ``amount`` and record it as received on ``on``."""
    tranche = services.tranche_plan(village=plan.village, year=plan.year, actor=actor, number=number,
                                    planned_amount=Decimal(amount), planned_date=on)
    return services.tranche_receive(tranche=tranche, actor=actor, amount=Decimal(amount), received_on=on,
                                    reference=reference, **extra)
