"""A fully populated village programme hub (``/rencana/desa/<kode>/``), for the hub's tests and its benchmark.

``hub_village_populate`` puts one village of Kab. Bondowoso in the programme (``generate_programme``: lokus year,
cohort, validated baseline, an approved plan with activities, seven stages, a received tranche, spending) and
adds what that generator leaves out: a Pokja with its SK and ``members`` people, ``assets`` ABCD assets,
``visits`` monitoring visits, a second (planned) and a third (voided) tranche, and schedule change requests
(one approved, one rejected, one pending), each by a Dinas Sosial user other than the one who decides.
"""

import datetime
from decimal import Decimal

from actionplans import services
from actionplans.models import ActionPlan, Asset, PokjaMember, ProgrammeStage
from reports.demo_data import generate_programme
from villages.models import Village

YEAR = 2026
INSTITUTIONS = PokjaMember.InstitutionType.values
AGE_GROUPS = ("", *PokjaMember.AgeGroup.values)


def _pokja(village, actor, members: int) -> None:
    pokja = services.pokja_save(village=village, actor=actor, decree_number="400/17/SK/2026",
                                decree_date=datetime.date(2026, 2, 1), notes="SK kepala desa")
    roles = [(PokjaMember.Role.CHAIR, None), (PokjaMember.Role.SECRETARY, None), (PokjaMember.Role.TREASURER, None),
             *((PokjaMember.Role.COORDINATOR, number) for number in (1, 2, 3)),
             (PokjaMember.Role.FACILITATOR, None), (PokjaMember.Role.COMPANION, None)]
    for number in range(members):
        role, dimension = roles[number] if number < len(roles) else (PokjaMember.Role.MEMBER, None)
        services.pokja_member_save(pokja=pokja, actor=actor, data={
            "name": "Anggota Pokja {:02d}".format(number + 1), "role": role, "dimension": dimension,
            "origin": PokjaMember.Origin.values[number % 2],
            "institution_type": INSTITUTIONS[number % len(INSTITUTIONS)],
            "institution": "Lembaga {}".format(number % 7 + 1), "sex": ("P", "L", "")[number % 3],
            "age_group": AGE_GROUPS[number % len(AGE_GROUPS)], "phone": "", "active": number % 11 != 10})


def _assets(village, actor, count: int) -> None:
    for number in range(count):
        leaky = number % 3 == 0
        services.asset_save(village=village, actor=actor, data={
            "kind": Asset.Kind.values[number % len(Asset.Kind.values)], "name": "Aset desa {:02d}".format(number + 1),
            "description": "", "owner": "", "contact": "", "location": "Dusun Krajan", "leaky_bucket": leaky,
            "monthly_outflow": Decimal(250_000) if leaky else None, "low_hanging_fruit": number % 4 == 1,
            "active": number % 9 != 8})


def _changes(village, requester, decider) -> None:
    """Change requests on three stages of the approved plan: approved, rejected, and one still pending."""
    stages = list(ProgrammeStage.objects.filter(village=village, year=YEAR).order_by("order"))
    for stage, outcome in zip(stages[3:6], ("approve", "reject", None), strict=True):
        start = (stage.planned_start or datetime.date(YEAR, 3, 1)) + datetime.timedelta(days=7)
        end = (stage.planned_end or datetime.date(YEAR, 3, 31)) + datetime.timedelta(days=14)
        change = services.stage_change_request(stage=stage, actor=requester, planned_start=start, planned_end=end,
                                               reason="Musyawarah desa diundur ({})".format(stage.order))
        if outcome:
            services.stage_change_decide(change=change, actor=decider, approve=outcome == "approve",
                                         note="" if outcome == "approve" else "Jadwal kegiatan sudah dikunci")


def _tranches(village, actor) -> None:
    services.tranche_plan(village=village, year=YEAR, actor=actor, number=2, planned_amount=Decimal(15_000_000),
                          planned_date=datetime.date(YEAR, 12, 10))
    third = services.tranche_plan(village=village, year=YEAR, actor=actor, number=3,
                                  planned_amount=Decimal(5_000_000), planned_date=datetime.date(YEAR, 12, 20))
    services.tranche_void(tranche=third, actor=actor, reason="Anggaran tahap ketiga dialihkan")


def hub_village_populate(*, planner, approver, members: int = 30, assets: int = 12, visits: int = 6) -> Village:
    """The village of ``generate_programme(villages=1, province="35")`` with everything its hub shows.

    ``planner`` (a Dinas Sosial kabupaten user of 35.11) records and asks; ``approver`` (another Dinas Sosial
    user covering the village) decides. The plan is approved first when the generator left it in Think.
    """
    generate_programme(villages=1, province="35", year=YEAR, today=datetime.date(YEAR, 11, 30))
    plan = ActionPlan.objects.filter(year=YEAR).order_by("-pk").first()
    village = plan.village
    if plan.status != ActionPlan.Status.APPROVED:
        if plan.status == ActionPlan.Status.DRAFT:
            services.plan_submit(plan=plan, actor=planner)
        services.plan_review(plan=plan, actor=approver, approve=True)
    _pokja(village, planner, members)
    _assets(village, planner, assets)
    _changes(village, planner, approver)
    _tranches(village, approver)
    for number in range(visits):
        services.monitoring_record(village=village, actor=(planner, approver)[number % 2], plan=plan,
                                   visited_on=datetime.date(YEAR, 5 + number, 12),
                                   findings="Kunjungan ke-{}: kegiatan berjalan.\nWarga hadir.".format(number + 1),
                                   follow_ups="Lengkapi bukti kegiatan" if number % 2 else "")
    return village
