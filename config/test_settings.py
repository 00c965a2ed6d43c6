"""Settings for the test suite: the real settings with fast hashing and throw-away media.

Celery runs eagerly in the test process even when REDIS_URL is set; the tests that need a
real worker start one (``celery_worker_process`` in tests/conftest.py) and switch eagerness off.
The media folder is shared with such worker processes through SIDBS_TEST_MEDIA_ROOT.
"""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-for-production-0123456789-abcdefghijklmnop")
os.environ.setdefault("DJANGO_SITE_URL", "https://sidbs.uji.go.id")
os.environ.setdefault("SIDBS_TEST_MEDIA_ROOT", tempfile.mkdtemp(prefix="sidbs-test-media-"))

from config.settings import *

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = os.environ["SIDBS_TEST_MEDIA_ROOT"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
WHITENOISE_AUTOREFRESH = True
