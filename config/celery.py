"""The Celery application.

Configuration comes from Django settings under the ``CELERY_`` namespace; tasks are
discovered in each installed app's ``tasks.py``.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("sidbs")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Task metrics, request ids in task logs, worker heartbeats (after the app exists: the handlers import Django code).
import config.celery_signals  # noqa: E402,F401
