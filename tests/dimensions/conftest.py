import pytest

from dimensions import services
from dimensions.models import Indicator, Instrument
from villages.models import Village

# Hand-checked example (see test_scoring.py): two respondents, answers per dimension.
EXAMPLE = {
    "r1": {"D1": [5, 5, 5, 5, 5], "D2": [1, 2, 3, 4, 5], "D3": [1, 1, 1, 1, 1], "D4": [2, 2, 2, 2, 2]},
    "r2": {"D1": [3, 3, 3, 3, 3], "D2": [1, 2, 3, 4, 5], "D3": [1, 1, 1, 1, 1], "D4": [3, 3, 3, 3, 4]},
}


def example_answers(respondent: str) -> dict[str, int]:
    answers = {}
    for indicator in Indicator.objects.filter(dimension__instrument__code="IKSM-Desa v0.1").order_by(
            "dimension__number", "code"):
        position = int(indicator.code.split(".")[1]) - 1
        answers[indicator.code] = EXAMPLE[respondent][indicator.dimension.code][position]
    return answers


@pytest.fixture
def instrument():
    return Instrument.objects.get(code="IKSM-Desa v0.1")


@pytest.fixture
def make_assessment(users):
    """Assessments under IKSM-Desa v0.1 by default: every indicator is scored from the answers, so the
    hand-checked example holds (v0.2 scores its administrative indicators from records, see test_records.py)."""

    def make(*, actor="pensosmas", village="35.11.01.2001", phase="baseline", year=2026, answered=True,
             submit=False, instrument="IKSM-Desa v0.1", submitted_at=None):
        user = users[actor]
        assessment = services.assessment_create(actor=user, village=Village.objects.get(code=village), year=year,
                                                phase=phase, instrument=Instrument.objects.get(code=instrument))
        if answered:
            services.answers_replace(assessment=assessment, actor=user, rows=[
                {"name": "Ibu Siti", "institution": "PKK", "answers": example_answers("r1")},
                {"name": "Pak Darmo", "institution": "Karang Taruna", "answers": example_answers("r2")},
            ])
        if submit:
            assessment = services.assessment_submit(assessment=assessment, actor=user, at=submitted_at)
        return assessment

    return make
