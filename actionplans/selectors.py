"""Reads for action plans, Pokja, stages, funds, assets and the programme dashboard (through ``visible_to``)."""

from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

import django_filters
from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scoping import visible_to
from actionplans.lifecycle import PhaseInfo, phase_of, phases_for
from actionplans.models import (
    ActionPlan,
    Activity,
    Asset,
    MonitoringVisit,
    Pokja,
    PokjaMember,
    ProgrammeStage,
    Spending,
    StageChangeRequest,
    StimulusTranche,
    TrancheRevision,
)
from actionplans.schedule import BADGES, StageState, StageStatus, schedule, schedules_by_village
from actionplans.services import balance_of
from config.caching import cached_aggregate
from config.rows import Row
from villages.filters import RegionCodeFilter
from villages.models import Cohort, CohortVillage, LokusYear, ProgrammePhase, Village


class ActionPlanFilterSet(django_filters.FilterSet):
    region = RegionCodeFilter(code_field="village__code")
    year = django_filters.NumberFilter(label=gettext_lazy("Tahun"))
    status = django_filters.ChoiceFilter(label=gettext_lazy("Status"), choices=ActionPlan.Status.choices,
                                         empty_label=gettext_lazy("Semua"))

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
    return list(plan.activities.select_related("dimension", "source_asset").prefetch_related("indicators", "evidence")
                .annotate(spent=Sum("spendings__amount")))


def pokja_for(*, user, village_code: str) -> Pokja | None:
    return visible_to(user, Pokja.objects.filter(village__code=village_code)).prefetch_related("members").first()


@dataclass
class PokjaComposition:
    """Who is in a Pokja against the programme's practice (about 30 people from formal and non-formal pranata
    sosial, women among them, a chair and a coordinator per dimension), with warnings where it falls short."""

    target: int
    members: int = 0
    women: int = 0
    men: int = 0
    sex_unknown: int = 0
    formal: int = 0
    informal: int = 0
    facilitators: int = 0
    companions: int = 0
    by_role: dict = field(default_factory=dict)
    by_age: dict = field(default_factory=dict)
    by_institution: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)


def pokja_composition(pokja: Pokja | None) -> PokjaComposition | None:
    """The composition of a Pokja's active people (its prefetched ``members``) and what is missing."""
    if pokja is None:
        return None
    result = PokjaComposition(target=pokja.target_members)
    coordinated = set()
    has_chair = False
    for member in pokja.members.all():
        if not member.active:
            continue
        if member.role == PokjaMember.Role.FACILITATOR:
            result.facilitators += 1
            continue
        if member.role == PokjaMember.Role.COMPANION:
            result.companions += 1
            continue
        result.members += 1
        result.women += member.sex == "P"
        result.men += member.sex == "L"
        result.sex_unknown += not member.sex
        result.formal += member.origin == PokjaMember.Origin.FORMAL
        result.informal += member.origin == PokjaMember.Origin.INFORMAL
        result.by_role[member.role_label] = result.by_role.get(member.role_label, 0) + 1
        age = member.get_age_group_display() if member.age_group else _("Umur tidak dicatat")
        result.by_age[age] = result.by_age.get(age, 0) + 1
        kind = member.get_institution_type_display()
        result.by_institution[kind] = result.by_institution.get(kind, 0) + 1
        has_chair = has_chair or member.role == PokjaMember.Role.CHAIR
        if member.role == PokjaMember.Role.COORDINATOR:
            coordinated.add(member.dimension)
    if result.members < result.target:
        result.warnings.append(_("Baru {members} dari target {target} anggota: lengkapi dari pranata sosial "
                                 "formal dan non-formal.").format(members=result.members, target=result.target))
    if result.members and not result.women:
        result.warnings.append(_("Belum ada anggota perempuan."))
    if result.sex_unknown:
        result.warnings.append(_("{count} anggota belum dicatat jenis kelaminnya.").format(count=result.sex_unknown))
    if result.members and not result.informal:
        result.warnings.append(_("Belum ada wakil pranata sosial non-formal (tokoh, adat, keagamaan)."))
    if result.members and not result.formal:
        result.warnings.append(_("Belum ada wakil pranata sosial formal."))
    if not has_chair:
        result.warnings.append(_("Belum ada ketua aktif."))
    missing = [number for number in (1, 2, 3, 4) if number not in coordinated]
    if missing:
        result.warnings.append(_("Belum ada koordinator untuk {dimensions}.").format(
            dimensions=", ".join("D{}".format(number) for number in missing)))
    if not (pokja.decree_number and pokja.decree_date):
        result.warnings.append(_("Nomor dan tanggal SK belum dicatat."))
    return result


def stages_of(*, user, village_code: str, year: int) -> list[ProgrammeStage]:
    """A lokus year's stages in order, each with its schedule change requests (and who asked and decided)."""
    changes = StageChangeRequest.objects.select_related("requested_by", "decided_by")
    return list(visible_to(user, ProgrammeStage.objects.filter(village__code=village_code, year=year))
                .prefetch_related(Prefetch("change_requests", queryset=changes)).order_by("order"))


def schedule_of(*, user, village_code: str, year: int, today=None) -> list[StageStatus]:
    """The honest states of a village's stages for a year (the stimulus stage following its tranches)."""
    stages = stages_of(user=user, village_code=village_code, year=year)
    tranches = list(tranches_of(user=user, village_code=village_code, year=year))
    return schedule(stages, tranches, today or timezone.localdate())


def tranches_of(*, user, village_code: str, year: int) -> QuerySet:
    """A lokus year's stimulus tranches with their revisions (and who made each)."""
    return visible_to(user, StimulusTranche.objects.filter(village__code=village_code, year=year)).select_related(
        "recorded_by", "voided_by").prefetch_related(
        Prefetch("revisions", queryset=TrancheRevision.objects.select_related("actor")))


def spendings_of(plan: ActionPlan) -> QuerySet:
    return Spending.objects.filter(activity__plan=plan).select_related("activity", "recorded_by", "authorised_by")


def assets_of(*, user, village_code: str, active_only: bool = False) -> list[Asset]:
    queryset = visible_to(user, Asset.objects.filter(village__code=village_code))
    if active_only:
        queryset = queryset.filter(active=True)
    return list(queryset.order_by("kind", "name"))


def assets_by_kind(assets: list[Asset]) -> list[tuple[str, list[Asset]]]:
    """The asset map: every ABCD kind in a fixed order with its assets (kinds without any are kept, empty)."""
    grouped = {kind: [] for kind in Asset.Kind.values}
    for asset in assets:
        grouped[asset.kind].append(asset)
    return [(Asset.Kind(kind).label, items) for kind, items in grouped.items()]


def _village_count(queryset: QuerySet) -> Coalesce:
    """The number of ``queryset``'s rows of the outer village, as a subquery (0 when none)."""
    return Coalesce(Subquery(queryset.filter(village_id=OuterRef("code")).order_by().values("village_id")
                             .annotate(total=Count("pk")).values("total")[:1], output_field=IntegerField()), 0)


def _village_latest_year(queryset: QuerySet) -> Subquery:
    return Subquery(queryset.filter(village_id=OuterRef("code")).order_by("-year").values("year")[:1])


@dataclass
class VillageHub:
    """What the village's programme hub shows for one year (``village_hub``), forms aside."""

    village: Village
    year: int
    pokja: Pokja | None
    composition: PokjaComposition | None
    phase: PhaseInfo
    schedule: list[StageStatus]
    plan_approved: bool
    plans: list[ActionPlan]
    tranches: list[StimulusTranche]
    balance: dict
    visits: list[MonitoringVisit]
    asset_count: int
    asset_tags: dict


def hub_village(*, user, code: str) -> Village:
    """One visible village for its programme hub, in one query: its Pokja (``pokja_of``), the counts of its active
    assets and their tags, and the latest year (not after this one) of its stages and of its plans."""
    this_year = timezone.localdate().year
    active = Asset.objects.filter(active=True)
    village = (visible_to(user, Village.objects.filter(code=code)).select_related("pokja").annotate(
        asset_count=_village_count(active), leaky_count=_village_count(active.filter(leaky_bucket=True)),
        quick_count=_village_count(active.filter(low_hanging_fruit=True)),
        latest_stage_year=_village_latest_year(ProgrammeStage.objects.filter(year__lte=this_year)),
        latest_plan_year=_village_latest_year(ActionPlan.objects.filter(year__lte=this_year))).first())
    if village is None:
        raise Http404
    return village


def pokja_of(village: Village) -> Pokja | None:
    """The village's Pokja when the village was read with ``select_related("pokja")``, else None."""
    try:
        return village.pokja
    except Pokja.DoesNotExist:
        return None


def village_hub(*, user, village: Village, year: int) -> VillageHub:
    """The hub of a village read by ``hub_village``, for ``year``, in a fixed number of set-based queries.

    The phase with its evidence (``lifecycle.phase_of``); the Pokja's members; the year's stages with their
    change requests and its tranches with their revisions, read once for both the schedule and the stimulus
    section; every plan of the village, each with what was spent on its stimulus-funded activities (the year's
    plan gives the spending of the stimulus balance; planned and received come from the tranches); and the
    latest twenty monitoring visits. The figures are those of ``stimulus_balance``, ``schedule_of`` and
    ``pokja_composition``.
    """
    pokja = pokja_of(village)
    if pokja is not None:
        prefetch_related_objects([pokja], "members")
    tranches = list(tranches_of(user=user, village_code=village.code, year=year))
    stimulus = Q(activities__fund_source=Activity.FundSource.STIMULUS)
    plans = list(visible_to(user, ActionPlan.objects.filter(village=village)).annotate(
        stimulus_spent=Sum("activities__spendings__amount", filter=stimulus)).order_by("-year"))
    this_plan = next((plan for plan in plans if plan.year == year), None)
    return VillageHub(
        village=village, year=year, pokja=pokja, composition=pokja_composition(pokja), phase=phase_of(village.code),
        schedule=schedule(stages_of(user=user, village_code=village.code, year=year), tranches,
                          timezone.localdate()),
        plan_approved=this_plan is not None and this_plan.status == ActionPlan.Status.APPROVED,
        plans=plans, tranches=tranches,
        balance=balance_of(tranches, this_plan.stimulus_spent if this_plan else None),
        visits=list(visible_to(user, MonitoringVisit.objects.filter(village=village)).select_related(
            "visitor")[:20]),
        asset_count=village.asset_count,
        asset_tags={"leaky": village.leaky_count, "quick": village.quick_count},
    )


def pending_changes(*, user, year: int | None = None) -> QuerySet:
    queryset = visible_to(user, StageChangeRequest.objects.filter(status=StageChangeRequest.Status.PENDING))
    if year is not None:
        queryset = queryset.filter(stage__year=year)
    return queryset.select_related("stage__village", "requested_by")


def programme_villages(*, user, year: int, cohort: Cohort | int | None = None) -> QuerySet:
    """The villages of the programme in a year, in scope: a lokus that year, in a cohort of that year, or with
    an action plan or stages for that year (only the cohort's villages when ``cohort``, or its pk, is given)."""
    if cohort is not None:
        members = Village.objects.filter(cohort_memberships__cohort=cohort)
    else:
        # One UNION of the four small tables' village codes, not four OR-ed IN subqueries: with those PostgreSQL
        # scanned every village of the country for a national user (50 ms over 84,000 villages; now ~15 ms).
        members = Village.objects.filter(pk__in=LokusYear.objects.filter(year=year).order_by().values("village_id")
                                         .union(CohortVillage.objects.filter(cohort__year=year).order_by()
                                                .values("village_id"),
                                                ActionPlan.objects.filter(year=year).order_by().values("village_id"),
                                                ProgrammeStage.objects.filter(year=year).order_by()
                                                .values("village_id")))
    return visible_to(user, members)


def latest_year_in_scope(user) -> int:
    """The latest programme year (not after this one) with a lokus village in the user's scope, else this year.

    Cached per scope (lokus years are in the ``regions`` domain).
    """
    this_year = timezone.localdate().year

    def compute() -> int:
        year = (visible_to(user, LokusYear.objects.filter(year__lte=this_year)).order_by("-year")
                .values_list("year", flat=True).first())
        return year or this_year

    return cached_aggregate("latest-lokus-year", user=user, domains=("regions",), params=(this_year,),
                            compute=compute)


def cohort_choices(*, user) -> list[Row]:
    """The cohorts the dashboard offers (``villages.selectors.cohort_list``), newest first, as plain rows
    (pk, name, year, targets) cached per scope: cohorts and their villages are in the ``regions`` domain."""
    from villages.selectors import cohort_list

    return cached_aggregate("cohort-choices", user=user, domains=("regions",), compute=lambda: [
        Row(row) for row in cohort_list(user=user).order_by("-year", "name").values(
            "pk", "name", "year", "target_villages", "target_graduated")])


# A late stage in the cached figures: (days late, village code, village name, stage pk, year, stage code,
# planned end, actual end, state), the longest late first. Labels are looked up per page (``late_rows``).
LATE_FIELDS = ("days_late", "village_code", "village_name", "stage_pk", "year", "stage", "planned_end", "actual_end",
               "state")


def programme_dashboard(*, user, year: int | None = None, cohort=None) -> dict:
    """The programme in the user's scope for a year (and optionally one cohort, a ``Cohort`` or a row of
    ``cohort_choices``): villages and their derived phases, stage completion over all those villages, overdue
    and at-risk stages, pending schedule changes, plans and money. Every figure counts the same set of villages.

    The figures are one aggregate per region scope, year, cohort and day (lateness depends on today), computed
    from the records once and cached as plain values (codes, numbers, dates: no model instance, no translated
    label); writes to plans, stages, funds, assessments, profiles, lokus years and cohorts invalidate it
    (config/caching.py); the entry's name changes with its shape (``programme-figures``, formerly
    ``programme-dashboard``), so a process never reads an entry written by another version. Labels are added
    here, per request, in the request's language. ``late_stages`` holds every late stage as a tuple
    (``LATE_FIELDS``); ``late_rows`` turns the ones a page shows into rows.
    """
    today = timezone.localdate()
    year = year or today.year
    cohort_id = cohort.pk if cohort is not None else None
    figures = cached_aggregate("programme-figures", user=user, domains=("programme", "regions", "assessments"),
                               params=(year, cohort_id, today.isoformat()),
                               compute=lambda: _programme_figures(user=user, year=year, today=today,
                                                                  cohort_id=cohort_id))
    phase_counts = figures["phase_counts"]
    return {
        **figures,
        "cohort": cohort,
        "phases": [(ProgrammePhase(phase).label, phase, phase_counts.get(phase, 0)) for phase in ProgrammePhase.values],
        "plans_by_status": [(ActionPlan.Status(status).label, total) for status, total in figures["plans_by_status"]],
        "stage_progress": [(ProgrammeStage.Stage(stage).label, figures["done_by_stage"].get(stage, 0))
                           for stage in ProgrammeStage.ORDER],
        "late_count": len(figures["late_stages"]),
        "realisation": ((figures["spent"] / figures["received"] * 100).quantize(Decimal("0.1"))
                        if figures["received"] else None),
    }


def late_rows(items) -> list[Row]:
    """Rows for the late stages a page shows (tuples of ``LATE_FIELDS``), with their labels (translated once per
    page) and badges."""
    stage_labels = {code: str(label) for code, label in ProgrammeStage.Stage.choices}
    state_labels = {code: str(label) for code, label in StageState.choices}
    rows = []
    for item in items:
        row = Row(zip(LATE_FIELDS, item, strict=True))
        row.update(stage_label=stage_labels[row.stage], state_label=state_labels[row.state],
                   badge=BADGES[StageState(row.state)])
        rows.append(row)
    return rows


def _stage_rows(year: int, codes: list[str]) -> list[SimpleNamespace]:
    """The stages of ``codes`` in ``year`` with what the schedule rule reads (``actionplans.schedule``), as plain
    objects: the rule runs over every stage of every village in scope, and model instances cost more than it."""
    fields = ("pk", "village_id", "year", "stage", "order", "planned_end", "actual_start", "actual_end")
    return [SimpleNamespace(**dict(zip(fields, values, strict=True)),
                            follows_tranches=ProgrammeStage.stage_follows_tranches(values[3]))
            for values in ProgrammeStage.objects.filter(year=year, village_id__in=codes).order_by()
            .values_list(*fields)]


def _tranche_rows(year: int, codes: list[str]) -> list[SimpleNamespace]:
    """The tranches of ``codes`` in ``year`` with what the schedule rule reads, as plain objects."""
    fields = ("village_id", "year", "received_on", "voided_at")
    return [SimpleNamespace(**dict(zip(fields, values, strict=True))) for values in
            StimulusTranche.objects.filter(year=year, village_id__in=codes).order_by().values_list(*fields)]


def _programme_figures(*, user, year: int, today, cohort_id: int | None) -> dict:
    """The figures of ``programme_dashboard`` in plain values, from the records (the phase from
    ``actionplans.lifecycle``, the stage states from ``actionplans.schedule``: derived here, never stored)."""
    villages = programme_villages(user=user, year=year, cohort=cohort_id)
    names = dict(villages.order_by().values_list("code", "name"))
    codes = sorted(names)
    phase_counts = dict.fromkeys(ProgrammePhase.values, 0)
    for phase in phases_for(codes).values():
        if phase.effective:
            phase_counts[phase.effective] += 1
    schedules = schedules_by_village(_stage_rows(year, codes), _tranche_rows(year, codes), today)
    done_by_stage = dict.fromkeys(ProgrammeStage.ORDER, 0)
    late, at_risk, overdue = [], 0, 0
    for statuses in schedules.values():
        for status in statuses:
            stage = status.stage
            done_by_stage[stage.stage] += status.is_done
            overdue += status.state == StageState.OVERDUE
            at_risk += status.at_risk
            if status.is_late:
                late.append((status.days_late, stage.village_id, names[stage.village_id], stage.pk, stage.year,
                             stage.stage, stage.planned_end, status.actual_end, str(status.state), stage.order))
    late.sort(key=lambda item: (-item[0], item[1], item[-1]))
    plans = ActionPlan.objects.filter(year=year, village_id__in=codes)
    budget = Activity.objects.filter(plan__in=plans).aggregate(total=Sum("budget"))["total"] or Decimal(0)
    money = StimulusTranche.objects.filter(year=year, village_id__in=codes, voided_at__isnull=True).aggregate(
        planned=Sum("planned_amount"), received=Sum("amount"))
    spent = Spending.objects.filter(activity__plan__in=plans).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    return {
        "year": year,
        "villages": len(codes),
        "phase_counts": phase_counts,
        "graduated": phase_counts[ProgrammePhase.GRADUATED],
        "not_in_phase": len(codes) - sum(phase_counts.values()),
        "plans_by_status": list(plans.values_list("status").annotate(total=Count("pk")).order_by("status")),
        "done_by_stage": done_by_stage,
        "scheduled_villages": len({village for village, _year in schedules}),
        "late_stages": [item[:-1] for item in late],
        "overdue": overdue,
        "at_risk": at_risk,
        "pending_changes": pending_changes(user=user, year=year).filter(stage__village_id__in=codes).count(),
        "budget": budget,
        "planned": money["planned"] or Decimal(0),
        "received": money["received"] or Decimal(0),
        "spent": spent,
    }
