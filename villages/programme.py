"""A village's DBS phase as the base app sees it.

The phase is derived from records of the apps above this one (assessments, action plans, stages,
stimulus, evaluations), which the base app must not import. So the programme app registers its
derivation here when Django starts (``ActionplansConfig.ready``), and village lists, pages, the
filter and the API call ``with_phase`` without knowing how the phase is derived.
"""

from collections.abc import Callable

from django.db.models import CharField, QuerySet, Value

PhaseAnnotator = Callable[[QuerySet], QuerySet]
_annotator: PhaseAnnotator | None = None


def register_phase_annotator(annotator: PhaseAnnotator) -> None:
    """Called once by the programme app: ``annotator(villages)`` adds ``phase``, ``derived_phase`` and
    ``phase_override`` to a Village queryset."""
    global _annotator
    _annotator = annotator


def with_phase(villages: QuerySet) -> QuerySet:
    """``villages`` annotated with ``phase`` (effective), ``derived_phase`` and ``phase_override`` (or None)."""
    if _annotator is not None:
        return _annotator(villages)
    empty = Value(None, output_field=CharField())
    return villages.annotate(phase=empty, derived_phase=empty, phase_override=empty)
