"""Reads for action plans, stages, funds and the Dinas Sosial programme dashboard (through ``visible_to``)."""

from decimal import Decimal

import django_filters
from django.db.models import Count, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import visible_to
from actionplans.models import ActionPlan, Activity, Pokja, ProgrammeStage, Spending, StimulusTranche
from config.caching import cached_aggregate
from villages.filters import RegionCodeFilter
from villages.models import VillageProfile


class ActionPlanFilterSet(django_filters.FilterSet):
    region = RegionCodeFilter(code_field="village__code")
    year = django_filters.NumberFilter(label=_("Tahun"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ActionPlan.Status.choices, empty_label=_("Semua"))

    class Meta:
        model = ActionPlan
        fields = ["region", "year", "status"]


def plan_base(user) -> QuerySet:
    return visible_to(user, ActionPlan.objects.all()).select_related("village__district", "assessment")


def plan_list(*, user, filters=None) -> ActionPlanFilterSet:
    queryset = plan_base(user).annotate(
        activity_count=Count("activities", distinct=True),
        budget_total=Sum("activities__budget"),
    ).order_by("-year", "village__code")
    return ActionPlanFilterSet(filters if filters is not None else {}, queryset=queryset)


def plan_get(*, user, pk: int) -> ActionPlan:
    plan = plan_base(user).select_related("approved_by", "created_by").filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


def plan_activities(plan: ActionPlan) -> list[Activity]:
    return list(plan.activities.select_related("dimension").prefetch_related("indicators", "evidence")
                .annotate(spent=Sum("spendings__amount")))


def pokja_for(*, user, village_code: str) -> Pokja | None:
    return visible_to(user, Pokja.objects.filter(village__code=village_code)).prefetch_related("members").first()


def stages_of(*, user, village_code: str, year: int) -> list[ProgrammeStage]:
    return list(visible_to(user, ProgrammeStage.objects.filter(village__code=village_code, year=year))
                .order_by("order"))


def tranches_of(*, user, village_code: str, year: int) -> QuerySet:
    return visible_to(user, StimulusTranche.objects.filter(village__code=village_code, year=year))


def spendings_of(plan: ActionPlan) -> QuerySet:
    return Spending.objects.filter(activity__plan=plan).select_related("activity", "recorded_by", "authorised_by")


def programme_dashboard(*, user, year: int | None = None) -> dict:
    """Villages in the programme, stage progress, late stages and budget realisation, in the user's scope.

    Cached per scope, year and day (late stages depend on today); writes to plans, stages, funds,
    profiles or lokus years invalidate it (config/caching.py).
    """
    today = timezone.localdate()
    year = year or today.year
    return cached_aggregate("programme-dashboard", user=user, domains=("programme", "regions"),
                            params=(year, today.isoformat()),
                            compute=lambda: _programme_figures(user=user, year=year, today=today))


def _programme_figures(*, user, year: int, today) -> dict:
    profiles = visible_to(user, VillageProfile.objects.filter(village__lokus_years__year=year)).select_related(
        "village__district")
    stages = list(visible_to(user, ProgrammeStage.objects.filter(year=year)).select_related("village"))
    late = [stage for stage in stages if stage.is_late(today)]
    done_by_stage = dict.fromkeys(ProgrammeStage.ORDER, 0)
    for stage in stages:
        if stage.actual_end:
            done_by_stage[stage.stage] += 1
    plans = visible_to(user, ActionPlan.objects.filter(year=year))
    budget = Activity.objects.filter(plan__in=plans).aggregate(total=Sum("budget"))["total"] or Decimal(0)
    received = visible_to(user, StimulusTranche.objects.filter(year=year)).aggregate(
        total=Sum("amount"))["total"] or Decimal(0)
    spent = Spending.objects.filter(activity__plan__in=plans).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    return {
        "year": year,
        "villages": profiles.count(),
        "plans_by_status": [(ActionPlan.Status(status).label, total) for status, total in
                            plans.values_list("status").annotate(total=Count("pk")).order_by("status")],
        "stage_progress": [(ProgrammeStage.Stage(stage).label, count) for stage, count in done_by_stage.items()],
        "stage_villages": len({stage.village_id for stage in stages}),
        "late_stages": late,
        "budget": budget,
        "received": received,
        "spent": spent,
        "realisation": (spent / received * 100).quantize(Decimal("0.1")) if received else None,
    }
