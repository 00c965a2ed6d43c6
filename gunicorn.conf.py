"""Gunicorn settings read automatically from the working directory (Dockerfile, docker-compose.yml).

The access log, when enabled (``--access-logfile -``), records the path without its query string
and without the referrer, so no search term or personal number ends up in web server logs.
"""

access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss "%(a)s"'
