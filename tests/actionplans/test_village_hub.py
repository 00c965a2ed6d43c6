"""The village programme hub reads everything in a few set-based queries (issue 21) and still shows what the
per-section readers give: stimulus balance, schedule, Pokja composition, assets, plans, phase and visits."""

import dataclasses

import pytest

from actionplans import lifecycle, services
from actionplans.models import MonitoringVisit
from actionplans.selectors import (
    assets_of,
    hub_village,
    plan_base,
    pokja_composition,
    pokja_for,
    schedule_of,
    tranches_of,
    village_hub,
)
from tests.actionplans.hub_data import YEAR, hub_village_populate
from tests.perf.test_query_counts import villages_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def village(users):
    villages_import(6)
    return hub_village_populate(planner=users["regency"], approver=users["province"])


def schedule_rows(statuses) -> list[tuple]:
    return [(status.stage.pk, status.state, status.days_late, status.at_risk, status.actual_start, status.actual_end,
             status.risk_from.pk if status.risk_from else None,
             [(change.pk, change.status, change.requested_by.username,
               change.decided_by.username if change.decided_by else None)
              for change in status.stage.change_requests.all()])
            for status in statuses]


@pytest.mark.parametrize("role", ["province", "regency", "analyst"])
def test_hub_figures_equal_the_section_readers(users, village, role):
    user = users[role]
    loaded = hub_village(user=user, code=village.code)
    assert max(loaded.latest_stage_year, loaded.latest_plan_year) == YEAR
    hub = village_hub(user=user, village=loaded, year=YEAR)

    assert hub.balance == services.stimulus_balance(village_code=village.code, year=YEAR)
    assert hub.balance["planned"]
    assert hub.balance["received"]
    assert hub.balance["spent"]
    assert schedule_rows(hub.schedule) == schedule_rows(schedule_of(user=user, village_code=village.code, year=YEAR))
    assert {change for status in hub.schedule for change in status.stage.change_requests.all()}, "change requests"
    assert hub.plan_approved is (services.approved_plan(village.code, YEAR) is not None) is True
    old_pokja = pokja_for(user=user, village_code=village.code)
    assert hub.pokja == old_pokja
    assert dataclasses.asdict(hub.composition) == dataclasses.asdict(pokja_composition(old_pokja))
    assets = assets_of(user=user, village_code=village.code, active_only=True)
    assert hub.asset_count == len(assets)
    assert hub.asset_tags == {"leaky": sum(asset.leaky_bucket for asset in assets),
                              "quick": sum(asset.low_hanging_fruit for asset in assets)}
    assert hub.asset_tags["leaky"]
    assert hub.asset_tags["quick"]
    assert hub.plans == list(plan_base(user).filter(village=village).order_by("-year"))
    assert [(tranche.pk, [(revision.pk, revision.actor.username) for revision in tranche.revisions.all()])
            for tranche in hub.tranches] == [
        (tranche.pk, [(revision.pk, revision.actor.username) for revision in tranche.revisions.all()])
        for tranche in tranches_of(user=user, village_code=village.code, year=YEAR)]
    assert hub.visits == list(MonitoringVisit.objects.filter(village=village).order_by("-visited_on")[:20])
    phase = lifecycle.phase_of(village.code)
    assert (hub.phase.effective, hub.phase.evidence, hub.phase.next_step) == (
        phase.effective, phase.evidence, phase.next_step)


def test_hub_of_another_year_and_of_a_village_without_records(users, village):
    """A year without stages, plan or tranches shows nothing of the populated year; a bare village has no Pokja,
    no assets and no programme year (the page then opens on this year)."""
    user = users["province"]
    hub = village_hub(user=user, village=hub_village(user=user, code=village.code), year=YEAR - 1)
    assert (hub.schedule, hub.tranches, hub.plan_approved) == ([], [], False)
    assert hub.balance == services.stimulus_balance(village_code=village.code, year=YEAR - 1)
    bare = hub_village(user=user, code="35.11.01.2003" if village.code != "35.11.01.2003" else "35.11.01.2004")
    assert (bare.latest_stage_year, bare.latest_plan_year, bare.asset_count) == (None, None, 0)
    hub = village_hub(user=user, village=bare, year=YEAR)
    assert (hub.pokja, hub.composition, hub.plans, hub.visits) == (None, None, [], [])


def test_hub_page_shows_the_figures_and_keeps_the_scope(client, users, village):
    client.force_login(users["province"])
    response = client.get("/rencana/desa/{}/".format(village.code))
    assert response.status_code == 200
    html = response.content.decode()
    balance = services.stimulus_balance(village_code=village.code, year=YEAR)
    for amount in balance.values():
        assert "Rp {:,.0f}".format(amount).replace(",", ".") in html
    assert "Pengajuan perubahan menunggu keputusan" in html  # the pending change request, to decide
    assert "Kunjungan ke-6" in html
    assert "Anggota Pokja" not in html
    assert "{} aset tercatat".format(response.context["asset_count"]) in html
    client.force_login(users["other_regency"])
    assert client.get("/rencana/desa/{}/".format(village.code)).status_code == 404


def test_hub_phase_override_is_shown_once_read(client, users, village):
    """The hub reads the active override once (``phase_of`` passes it to ``records_for``): still shown."""
    services.phase_override_set(village=village, actor=users["province"], phase="look",
                                reason="Data baseline diulang karena responden kurang")
    client.force_login(users["province"])
    response = client.get("/rencana/desa/{}/".format(village.code))
    assert response.context["phase"].override.reason.startswith("Data baseline diulang")
    assert response.context["phase_form"].initial == {"phase": "look"}
    assert lifecycle.phases_for([village.code])[village.code].effective == "look"
