"""A village's DBS phase as the base app sees it.

The phase is derived from records of the apps above this one (assessments, action plans, stages,
evaluations), which the base app must not import. So the programme app registers its derivation
here when Django starts (``ActionplansConfig.ready``), and village pages, search, the filter and
the API call ``attach_phases`` and ``filter_phase`` without knowing how the phase is derived.
"""

from collections.abc import Callable, Iterable

from django.db.models import QuerySet

PhasesFor = Callable[[Iterable[str]], dict]
PhaseFilter = Callable[[QuerySet, str], QuerySet]
_phases_for: PhasesFor | None = None
_filter: PhaseFilter | None = None


def register_phases(phases_for: PhasesFor, phase_filter: PhaseFilter) -> None:
    """Called once by the programme app: ``phases_for(codes)`` gives {code: object with ``effective``,
    ``derived`` and ``override``}; ``phase_filter(villages, phase)`` keeps the villages in ``phase``."""
    global _phases_for, _filter
    _phases_for, _filter = phases_for, phase_filter


def attach_phases(villages: Iterable) -> list:
    """Set ``phase`` (to show), ``derived_phase`` and ``phase_override`` on each village; returns them as a list."""
    villages = list(villages)
    phases = _phases_for([village.code for village in villages]) if _phases_for and villages else {}
    for village in villages:
        found = phases.get(village.code)
        village.phase = found.effective if found else None
        village.derived_phase = found.derived if found else None
        village.phase_override = found.override if found else None
    return villages


def filter_phase(villages: QuerySet, phase: str) -> QuerySet:
    """The villages of ``villages`` whose phase (derived or overridden) is ``phase``."""
    if _filter is not None:
        return _filter(villages, phase)
    return villages.none()
