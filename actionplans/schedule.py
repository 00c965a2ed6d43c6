"""The honest state of each programme stage, derived from its dates (and, for the stimulus, its tranches).

===================  ==============================================================
state                when
===================  ==============================================================
direncanakan         not started
berjalan             started, not finished, planned end not passed
terlambat            not finished and the planned end has passed (days late = today − planned end)
selesai tepat waktu  finished on or before the planned end
selesai terlambat    finished after the planned end (days late = actual end − planned end)
selesai              finished, no planned end to measure it against
===================  ==============================================================

A stage that is late (terlambat or selesai terlambat) puts every later stage that has not finished
"berisiko": in the programme's own words, a late stage affects the realisation of the action plan.
The transfer-stimulan stage has no dates of its own: it starts with the first tranche received
and finishes when every planned tranche (not voided) has been received.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from actionplans.models import ProgrammeStage, StimulusTranche


class StageState(TextChoices):
    PLANNED = "planned", pgettext_lazy("tahap program", "Direncanakan")
    ONGOING = "ongoing", pgettext_lazy("tahap program", "Berjalan")
    OVERDUE = "overdue", pgettext_lazy("tahap program", "Terlambat")
    DONE_ON_TIME = "done_on_time", pgettext_lazy("tahap program", "Selesai tepat waktu")
    DONE_LATE = "done_late", pgettext_lazy("tahap program", "Selesai terlambat")
    DONE = "done", pgettext_lazy("tahap program", "Selesai (tanpa rencana selesai)")


LATE_STATES = frozenset({StageState.OVERDUE, StageState.DONE_LATE})
DONE_STATES = frozenset({StageState.DONE_ON_TIME, StageState.DONE_LATE, StageState.DONE})
BADGES = {StageState.PLANNED: "", StageState.ONGOING: "info", StageState.OVERDUE: "err",
          StageState.DONE_ON_TIME: "ok", StageState.DONE_LATE: "warn", StageState.DONE: "ok"}


@dataclass
class StageStatus:
    """One stage as a page shows it: its effective actual dates, state, days late and risk."""

    stage: ProgrammeStage
    actual_start: datetime.date | None
    actual_end: datetime.date | None
    state: str
    days_late: int = 0
    at_risk: bool = False
    risk_from: ProgrammeStage | None = None

    @property
    def state_label(self) -> str:
        return StageState(self.state).label

    @property
    def badge(self) -> str:
        return BADGES[StageState(self.state)]

    @property
    def is_late(self) -> bool:
        return self.state in LATE_STATES

    @property
    def is_done(self) -> bool:
        return self.state in DONE_STATES

    @property
    def risk_label(self) -> str:
        return _("Berisiko") if self.at_risk else ""


def tranche_dates(tranches: Iterable[StimulusTranche]) -> tuple[datetime.date | None, datetime.date | None]:
    """(first received, all received) dates of a lokus year's tranches; voided ones do not count."""
    live = [tranche for tranche in tranches if not tranche.voided_at]
    received = sorted(tranche.received_on for tranche in live if tranche.received_on)
    if not received:
        return None, None
    finished = received[-1] if len(received) == len(live) else None
    return received[0], finished


def state_of(planned_end: datetime.date | None, actual_start: datetime.date | None,
             actual_end: datetime.date | None, today: datetime.date) -> tuple[str, int]:
    """(state, days late) of one stage's dates on ``today``."""
    if actual_end is not None:
        if planned_end is None:
            return StageState.DONE, 0
        if actual_end > planned_end:
            return StageState.DONE_LATE, (actual_end - planned_end).days
        return StageState.DONE_ON_TIME, 0
    if planned_end is not None and today > planned_end:
        return StageState.OVERDUE, (today - planned_end).days
    if actual_start is not None:
        return StageState.ONGOING, 0
    return StageState.PLANNED, 0


def schedule(stages: Iterable[ProgrammeStage], tranches: Iterable[StimulusTranche],
             today: datetime.date) -> list[StageStatus]:
    """The states of one lokus year's stages (in order), with the stimulus stage following ``tranches``."""
    first_received, all_received = tranche_dates(tranches)
    statuses, late_before = [], None
    for stage in sorted(stages, key=lambda item: item.order):
        if stage.follows_tranches:
            actual_start, actual_end = first_received, all_received
        else:
            actual_start, actual_end = stage.actual_start, stage.actual_end
        state, days_late = state_of(stage.planned_end, actual_start, actual_end, today)
        status = StageStatus(stage, actual_start, actual_end, state, days_late)
        if late_before is not None and not status.is_done:
            status.at_risk, status.risk_from = True, late_before
        if status.is_late and late_before is None:
            late_before = stage
        statuses.append(status)
    return statuses


def schedules_by_village(stages: Iterable[ProgrammeStage], tranches: Iterable[StimulusTranche],
                         today: datetime.date) -> dict[tuple[str, int], list[StageStatus]]:
    """``schedule`` for many lokus years at once: {(village code, year): statuses}.

    Stages and tranches may be model instances or plain objects holding the fields the rule reads:
    stages ``village_id``, ``year``, ``order``, ``follows_tranches``, ``planned_end``, ``actual_start`` and
    ``actual_end``; tranches ``village_id``, ``year``, ``received_on`` and ``voided_at``.
    """
    stages_by_key: dict[tuple[str, int], list[ProgrammeStage]] = {}
    for stage in stages:
        stages_by_key.setdefault((stage.village_id, stage.year), []).append(stage)
    tranches_by_key: dict[tuple[str, int], list[StimulusTranche]] = {}
    for tranche in tranches:
        tranches_by_key.setdefault((tranche.village_id, tranche.year), []).append(tranche)
    return {key: schedule(items, tranches_by_key.get(key, []), today) for key, items in stages_by_key.items()}
