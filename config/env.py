"""Helpers that turn environment values into settings, kept apart so they can be tested."""

from urllib.parse import urlsplit, urlunsplit


def redis_url_with_db(url: str, db: int) -> str:
    """Return ``url`` pointing at Redis logical database ``db`` (``redis://h:6379/0`` -> ``/1``)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/{}".format(db), parts.query, parts.fragment))


def celery_settings(*, redis_url: str | None, longest_task_seconds: int) -> dict[str, object]:
    """Celery settings for a real Redis broker, or eager in-process execution when there is none.

    With a broker, tasks are acknowledged late and rejected when their worker dies, so a task
    killed mid-way is delivered again; each worker process reserves one task at a time; and the
    visibility timeout outlasts the longest task so Redis never re-delivers a task still running.
    """
    common: dict[str, object] = {
        "CELERY_TASK_SERIALIZER": "json",
        "CELERY_RESULT_SERIALIZER": "json",
        "CELERY_ACCEPT_CONTENT": ["json"],
        "CELERY_TIMEZONE": "Asia/Jakarta",
        "CELERY_TASK_TIME_LIMIT": longest_task_seconds,
        "CELERY_TASK_SOFT_TIME_LIMIT": longest_task_seconds - 60,
        "CELERY_WORKER_HIJACK_ROOT_LOGGER": False,
        "CELERY_TASK_DEFAULT_QUEUE": "default",
        "CELERY_TASK_ROUTES": {"reports.tasks.*": {"queue": "pdf"}},
    }
    if not redis_url:
        return common | {
            "CELERY_BROKER_URL": "memory://",
            "CELERY_RESULT_BACKEND": "cache+memory://",
            "CELERY_TASK_ALWAYS_EAGER": True,
            # A failing task marks its job failed; it must not turn the user's request into an error page.
            "CELERY_TASK_EAGER_PROPAGATES": False,
        }
    visibility_timeout = longest_task_seconds * 2
    return common | {
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": False,
        "CELERY_TASK_ACKS_LATE": True,
        "CELERY_TASK_REJECT_ON_WORKER_LOST": True,
        "CELERY_WORKER_PREFETCH_MULTIPLIER": 1,
        "CELERY_BROKER_TRANSPORT_OPTIONS": {"visibility_timeout": visibility_timeout},
        "CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS": {"visibility_timeout": visibility_timeout},
        "CELERY_VISIBILITY_TIMEOUT": visibility_timeout,
        "CELERY_RESULT_EXPIRES": 24 * 3600,
        "CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP": True,
        "CELERY_WORKER_MAX_MEMORY_PER_CHILD": 1_000_000,  # KiB: recycle a worker process past ~1 GB
    }


def cache_settings(*, redis_url: str | None) -> dict[str, dict[str, object]]:
    """The default cache: Redis database 1 (the broker keeps database 0) or local memory."""
    if not redis_url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url_with_db(redis_url, 1),
            "KEY_PREFIX": "sidbs",
            # Give up quickly when Redis is down or unreachable: the site then works without it (config/outage.py).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }


RATE_PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600,
                "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/hour"`` -> ``(10, 3600)``: requests per period, in DRF's format (s, m, h, d or sec, min, hour, day)."""
    number, _slash, period = rate.strip().partition("/")
    if not number.strip().isdigit() or int(number) < 1 or period.strip().lower() not in RATE_PERIODS:
        raise ValueError(rate)
    return int(number), RATE_PERIODS[period.strip().lower()]


def rate_limits(rates: dict[str, str]) -> dict[str, str | None]:
    """Check each ``scope: rate`` ("10/hour"; "off" lifts the limit) and return them for the settings."""
    from django.core.exceptions import ImproperlyConfigured

    checked: dict[str, str | None] = {}
    for scope, rate in rates.items():
        if rate.strip().lower() == "off":
            checked[scope] = None
            continue
        try:
            parse_rate(rate)
        except ValueError:
            raise ImproperlyConfigured(
                "Batas laju '{}' tidak sah: '{}'. Tulis seperti 10/hour, 60/minute atau off.".format(scope, rate)
            ) from None
        checked[scope] = rate.strip()
    return checked


def storage_settings(url: str) -> dict[str, object]:
    """``STORAGES["default"]`` for ``DJANGO_STORAGE_URL``: uploads and generated reports.

    - empty: files in ``MEDIA_ROOT`` (``DJANGO_MEDIA_ROOT``) on this machine;
    - ``file:///srv/sidbs/media``: files in that folder (a shared mount, for instance);
    - ``s3://KEY:SECRET@BUCKET/PREFIX?endpoint=http://minio:9000&region=us-east-1``: an S3-compatible
      object store (MinIO, Ceph, AWS) through django-storages, so web and workers on several machines
      share every file. Without ``KEY:SECRET`` boto3's usual sources apply (``AWS_ACCESS_KEY_ID``,
      an instance role). Key and secret are URL-encoded when they hold ``@ : /``.

    Objects are private (no ACL, no public URLs); the application streams each download after
    its own scope check. ``expire`` (seconds, default 300) bounds any signed URL.
    """
    from urllib.parse import parse_qs, unquote

    from django.core.exceptions import ImproperlyConfigured

    if not url:
        # No location option: FileSystemStorage follows settings.MEDIA_ROOT (also when tests override it).
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    parts = urlsplit(url)
    if parts.scheme == "file":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": unquote(parts.path)}}
    if parts.scheme != "s3" or not parts.hostname:
        raise ImproperlyConfigured(
            "DJANGO_STORAGE_URL tidak sah: '{}'. Tulis s3://KUNCI:RAHASIA@BUCKET/AWALAN?endpoint=http://host:9000 "
            "atau file:///folder.".format(parts._replace(netloc=parts.hostname or "").geturl())
        )
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    unknown = set(query) - {"endpoint", "region", "addressing", "expire"}
    if unknown:
        raise ImproperlyConfigured(
            "DJANGO_STORAGE_URL: parameter tidak dikenal: {}.".format(", ".join(sorted(unknown)))
        )
    options: dict[str, object] = {
        "bucket_name": parts.hostname,
        "location": parts.path.strip("/"),
        "region_name": query.get("region", "us-east-1"),
        "signature_version": "s3v4",
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": int(query.get("expire", 300)),
        "file_overwrite": False,
        # Files read back (imports, report parts) spill to a temporary file above 5 MB instead of memory.
        "max_memory_size": 5 * 1024 * 1024,
    }
    if parts.username:
        options.update(access_key=unquote(parts.username), secret_key=unquote(parts.password or ""))
    if query.get("endpoint"):
        options["endpoint_url"] = query["endpoint"]
        options["addressing_style"] = query.get("addressing", "path")
    elif query.get("addressing"):
        options["addressing_style"] = query["addressing"]
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
