"""Deployment checks for what leaves the system: every QR code and verification link uses SITE_URL."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0", ""})


@register(Tags.security, deploy=True)
def site_url_is_public(app_configs, **kwargs):
    """``check --deploy`` refuses a SITE_URL that a reader of a printed letter could not open."""
    parts = urlsplit(settings.SITE_URL)
    errors = []
    if parts.scheme != "https":
        errors.append(Error(
            "DJANGO_SITE_URL harus alamat https:// publik; sekarang {!r}.".format(settings.SITE_URL),
            hint="Kode QR dan tautan verifikasi di surat rujukan menunjuk ke alamat ini.", id="sidbs.E001",
        ))
    if (parts.hostname or "") in LOCAL_HOSTS:
        errors.append(Error(
            "DJANGO_SITE_URL menunjuk ke komputer lokal ({}); pembaca surat tidak dapat membukanya.".format(
                parts.hostname or "kosong"),
            hint="Isi dengan alamat publik SI-DBS, mis. https://sidbs.dinsos.jatimprov.go.id", id="sidbs.E002",
        ))
    return errors
