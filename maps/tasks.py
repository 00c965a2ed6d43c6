"""Celery tasks of the maps app: thin wrappers around ``maps.services``."""

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(name="maps.figures_refresh", acks_late=True, reject_on_worker_lost=True,
             autoretry_for=(OperationalError, InterfaceError, ConnectionError), retry_backoff=5, max_retries=3)
def figures_refresh_task(full: bool = False) -> dict:
    """Refresh the map figures (changed kecamatan, or all); a refresh already running makes this one wait a turn."""
    from maps.services import figures_refresh

    result = figures_refresh(full=full)
    if result.busy:
        figures_refresh_task.apply_async(kwargs={"full": full}, countdown=30)
    return {"kind": result.kind, "districts": result.districts, "seconds": result.seconds}
