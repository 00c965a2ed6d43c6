"""Project-wide Celery tasks."""

from celery import shared_task


@shared_task(name="config.backup")
def backup_task() -> dict:
    """The scheduled backup (CELERY_BEAT_SCHEDULE): database and files to SIDBS_BACKUP_URL, with retention."""
    from config.backups import backup_create

    manifest = backup_create()
    return {"name": manifest["name"], "removed": manifest["removed"]}
