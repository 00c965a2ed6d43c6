"""Gunicorn settings read automatically from the working directory (Dockerfile, docker-compose.yml).

The access log, when enabled (``--access-logfile -``), records the path without its query string
and without the referrer, so no search term or personal number ends up in web server logs. The
application writes its own JSON access line per request (``sidbs.request``) with the request id.

With ``PROMETHEUS_MULTIPROC_DIR`` set (the Docker image sets it), each worker process writes its
metrics there and ``/metrics`` adds them up: the folder is emptied at start and a worker's live
gauges are dropped when it exits.
"""

import os
import shutil

access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss "%(a)s"'


def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
