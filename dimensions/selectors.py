"""Reads of assessments and scores, always through ``visible_to``."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from accounts.scoping import visible_to
from config.caching import cached_aggregate
from dimensions.filters import AssessmentFilterSet
from dimensions.models import Assessment, DimensionScore, Indicator


def assessment_base(user) -> QuerySet:
    return visible_to(user, Assessment.objects.all()).select_related(
        "village__district", "instrument", "assessor", "weakest_dimension"
    )


def assessment_list(*, user, filters=None) -> AssessmentFilterSet:
    return AssessmentFilterSet(filters if filters is not None else {}, queryset=assessment_base(user))


def assessment_get(*, user, pk: int, with_scores: bool = False) -> Assessment:
    """One visible assessment (Http404 otherwise); ``with_scores`` loads its dimension scores in one query."""
    queryset = assessment_base(user).filter(pk=pk)
    if with_scores:
        queryset = queryset.prefetch_related(Prefetch("scores", DimensionScore.objects.select_related("dimension")))
    assessment = queryset.first()
    if assessment is None:
        raise Http404
    return assessment


def assessment_indicators(assessment: Assessment) -> list[Indicator]:
    return list(Indicator.objects.filter(dimension__instrument=assessment.instrument_id)
                .select_related("dimension").order_by("dimension__number", "code"))


def village_history(*, user, village_code: str) -> list[Assessment]:
    """A village's scored assessments, oldest first, with their dimension scores."""
    return list(
        assessment_base(user).filter(village__code=village_code, overall_index__isnull=False)
        .prefetch_related("scores__dimension").order_by("year", "submitted_at")
    )


def latest_validated(*, user, filters=None) -> QuerySet:
    """Villages with their latest validated assessment (pemetaan kerentanan sosial), lowest index first.

    Read from the assessments' side: a validated assessment of an active village in scope for
    which no later validated one exists (year, then validation time, then id). The index
    ``assessment_village_status`` answers each "later one?" probe, so the cost follows the
    validated assessments in scope, not the ~8,500 villages of a province.
    """
    validated = Assessment.Status.VALIDATED
    later = Assessment.objects.filter(village=OuterRef("village"), status=validated).filter(
        Q(year__gt=OuterRef("year"))
        | Q(year=OuterRef("year"), validated_at__gt=OuterRef("validated_at"))
        | Q(year=OuterRef("year"), validated_at=OuterRef("validated_at"), pk__gt=OuterRef("pk"))
    )
    assessments = assessment_base(user).filter(status=validated, village__active=True).exclude(Exists(later))
    filterset = AssessmentFilterSet(filters if filters is not None else {}, queryset=assessments)
    return filterset.qs.order_by("overall_index", "village__code")


def latest_validated_count(*, user, filters=None) -> int:
    """How many villages ``latest_validated`` lists for these filters; cached per scope (config/caching.py)."""
    filters = filters if filters is not None else {}
    lists = filters.lists() if hasattr(filters, "lists") else ((key, [value]) for key, value in filters.items())
    params = sorted((key, tuple(values)) for key, values in lists if key not in {"page", "format"})
    return cached_aggregate("mapping-count", user=user, domains=("assessments", "regions"), params=params,
                            compute=lambda: latest_validated(user=user, filters=filters).count())


def scores_by_assessment(assessments) -> dict[int, dict[int, DimensionScore]]:
    """{assessment pk: {dimension number: score}} in one query."""
    table: dict[int, dict[int, DimensionScore]] = {}
    for score in DimensionScore.objects.filter(assessment__in=list(assessments)).select_related("dimension"):
        table.setdefault(score.assessment_id, {})[score.dimension.number] = score
    return table


def assessments_to_complete(*, user, limit: int = 20) -> list[Assessment]:
    """Assessments in the user's scope still being filled in: drafts and those returned (with the reason)."""
    return list(
        assessment_base(user).filter(status__in=[Assessment.Status.DRAFT, Assessment.Status.RETURNED])
        .order_by("-id")[:limit]
    )
