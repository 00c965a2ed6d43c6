"""What the map figures count: each definition lives in one function, so it can be repointed in one place.

These are unscoped reads over the whole country (the figures are kept per region for
everyone; ``maps.selectors`` decides what a user may see). Each returns a queryset or plain
values and is used by both the refresh of the stored figures and the live village points.
"""

import datetime

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from actionplans.models import ActionPlan, ProgrammeStage, StimulusTranche
from actionplans.schedule import StageState, schedules_by_village
from dimensions.models import Assessment
from ppks.models import Referral, Registration
from villages.models import CohortVillage, LokusYear

Status = Registration.Status

# Registrations that count as PPKS on record: submitted onwards, not rejected (drafts are not yet filed).
RECORDED_STATUSES = (Status.SUBMITTED, Status.VERIFIED, Status.REFERRED, Status.SERVED, Status.CLOSED)
# The workflow moments drawn month by month: (timestamp field, key).
MONTHLY_EVENTS = (("submitted_at", "submitted"), ("verified_at", "verified"), ("referred_at", "referred"),
                  ("served_at", "served"))


def recorded_registrations(queryset: QuerySet | None = None) -> QuerySet:
    """Registrations counted as PPKS on record (category, directorate and per-1,000 measures)."""
    queryset = Registration.objects.all() if queryset is None else queryset
    return queryset.filter(status__in=RECORDED_STATUSES)


def waiting_for_verification(queryset: QuerySet) -> QuerySet:
    """Submitted to Dinas Sosial and not yet verified or rejected."""
    return queryset.filter(status=Status.SUBMITTED)


def verified_not_referred(queryset: QuerySet) -> QuerySet:
    """Verified by Dinas Sosial and not yet referred to a directorate."""
    return queryset.filter(status=Status.VERIFIED)


def referred_without_answer(queryset: QuerySet) -> QuerySet:
    """Registrations with a referral that its unit has not answered yet (``Referral.State.SENT``)."""
    waiting = Referral.objects.filter(registration=OuterRef("pk"), state=Referral.State.SENT)
    return queryset.filter(Exists(waiting))


def referral_answers(queryset: QuerySet) -> QuerySet:
    """Registrations whose referral was answered (accepted, declined, forwarded, served or closed by the unit),
    annotated with ``answered_at``: the unit's first answer."""
    first_answer = Referral.objects.filter(registration=OuterRef("pk"), answered_at__isnull=False).order_by(
        "answered_at").values("answered_at")[:1]
    return queryset.filter(referred_at__isnull=False).annotate(answered_at=Subquery(first_answer)).filter(
        answered_at__isnull=False)


def _codes(queryset: QuerySet, village_codes) -> set[str]:
    if village_codes is not None:
        queryset = queryset.filter(village_id__in=list(village_codes))
    return set(queryset.order_by().values_list("village_id", flat=True).distinct())


def villages_in_programme(village_codes=None) -> set[str]:
    """Codes of villages in the DBS programme: a lokus year, a pilot cohort, an action plan or programme
    stages on record (the records the derived phase reads, ``actionplans.lifecycle``)."""
    return (_codes(LokusYear.objects.all(), village_codes) | _codes(CohortVillage.objects.all(), village_codes)
            | _codes(ActionPlan.objects.all(), village_codes) | _codes(ProgrammeStage.objects.all(), village_codes))


def village_cohorts() -> dict[str, int]:
    """{village code: cohort year}: the year of the village's first pilot cohort (``villages.Cohort``), or for a
    village not (yet) put in a cohort, the first year it was a programme lokus."""
    cohorts: dict[str, int] = {}
    for village, year in LokusYear.objects.values_list("village_id", "year"):
        cohorts[village] = min(year, cohorts.get(village, year))
    in_cohort: dict[str, int] = {}
    for village, year in CohortVillage.objects.values_list("village_id", "cohort__year"):
        in_cohort[village] = min(year, in_cohort.get(village, year))
    return cohorts | in_cohort


def overdue_stages(today: datetime.date, village_codes=None) -> dict[str, int]:
    """{village code: programme stages late and still open on ``today``}, by the schedule rule of the
    programme pages (``actionplans.schedule``: state "terlambat"; the stimulus stage follows its tranches)."""
    stages, tranches = ProgrammeStage.objects.all(), StimulusTranche.objects.all()
    if village_codes is not None:
        stages = stages.filter(village_id__in=list(village_codes))
        tranches = tranches.filter(village_id__in=list(village_codes))
    counts: dict[str, int] = {}
    for (village, _year), statuses in schedules_by_village(stages, tranches, today).items():
        late = sum(status.state == StageState.OVERDUE for status in statuses)
        if late:
            counts[village] = counts.get(village, 0) + late
    return counts


def validated_assessments() -> QuerySet:
    """Validated, scored assessments: the resilience index of a village is its latest one."""
    return Assessment.objects.filter(status=Assessment.Status.VALIDATED, overall_index__isnull=False)


def latest_by_village(rows) -> dict[str, dict]:
    """From rows of (village, phase, year, validated_at, pk, index, band), the latest per village.

    "Latest" orders by year, then validation time, then id, as the vulnerability mapping does
    (``dimensions.selectors.latest_validated``).
    """
    latest: dict[str, tuple] = {}
    for row in rows:
        village, _phase, year, validated_at, pk, index, band = row
        key = (year, validated_at, pk)
        if village not in latest or key > latest[village][0]:
            latest[village] = (key, {"index": float(index), "band": band})
    return {village: value for village, (_key, value) in latest.items()}
