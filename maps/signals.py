"""Keep the map figures fresh: a data change schedules a refresh (``config.caching.aggregates_committed``)."""

from django.dispatch import receiver

from config.caching import aggregates_committed

FIGURE_DOMAINS = frozenset({"ppks", "regions", "assessments", "programme"})


@receiver(aggregates_committed)
def schedule_figures_refresh(sender, domains, **kwargs):
    """After a committed write to data the figures count, schedule (or, eagerly, run) a refresh."""
    if FIGURE_DOMAINS.intersection(domains):
        from maps.services import figures_refresh_schedule

        figures_refresh_schedule()
