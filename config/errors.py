"""Error pages in Indonesian, in the site's layout, each with a way back; under /api/ they answer JSON.

``handler400/403/404/500`` in ``config/urls.py`` and ``CSRF_FAILURE_VIEW`` point here. The 400 and
500 pages are rendered without the request's context processors (no session, user, menu or
database query), so they still show when the database or the request itself is what failed; if
even the template cannot be rendered, a plain Indonesian page is sent.
"""

import logging

from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

from config.redirects import safe_referer

API_PREFIX = "/api/"
TEMPLATE = "errors/page.html"
logger = logging.getLogger(__name__)

FALLBACK_500 = (
    '<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>Terjadi kesalahan · SI-DBS</title></head>'
    "<body><h1>Terjadi kesalahan di server</h1><p>Coba lagi beberapa saat lagi.</p>"
    '<p><a href="/">Ke beranda</a></p></body></html>'
)


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def _back_url(request) -> str:
    try:
        return safe_referer(request)
    except Exception:  # a request whose host is not allowed cannot say where it came from
        return ""


def _page(request, status: int, title: str, message: str, *, with_request: bool = True, **extra) -> HttpResponse:
    """The error page; ``with_request=False`` renders it without context processors (no database)."""
    context = {"status": status, "title": title, "message": message, "back_url": _back_url(request), **extra}
    template = loader.get_template(TEMPLATE)
    body = template.render(context, request if with_request else None)
    return HttpResponse(body, status=status)


def bad_request(request, exception=None):
    """400: a request the server could not understand (a malformed form, a forbidden host header)."""
    message = _("Permintaan tidak dapat diproses. Periksa alamat atau isian formulir, lalu coba lagi.")
    if _is_api(request):
        return JsonResponse({"detail": message}, status=400)
    return _page(request, 400, _("Permintaan tidak valid"), message, with_request=False)


def permission_denied(request, exception=None):
    """403: signed in, but this page or action is not for the user's role or region.

    A message the code raised on purpose (``PermissionDenied(_("..."))``) is shown; otherwise a general one.
    """
    reason = str(exception) if exception is not None and str(exception) else ""
    message = reason or _("Peran atau wilayah kerja Anda tidak mencakup halaman ini.")
    if _is_api(request):
        return JsonResponse({"detail": message}, status=403)
    return _page(request, 403, _("Anda tidak memiliki akses"), message,
                 hint=_("Bila Anda merasa seharusnya dapat membukanya, hubungi administrator atau Dinas Sosial Anda."))


def not_found(request, exception=None):
    """404 for a URL that matches no route or a record outside the user's region (DRF views answer their own)."""
    if _is_api(request):
        return JsonResponse({"detail": _("Alamat API tidak ditemukan.")}, status=404)
    return _page(request, 404, _("Halaman tidak ditemukan"),
                 _("Halaman atau data yang Anda cari tidak ada, sudah dipindahkan, atau di luar wilayah kerja Anda."))


def server_error(request):
    """500 after an unhandled error; the details go to the log, never to the caller."""
    message = _("Terjadi kesalahan di server. Coba lagi nanti.")
    if _is_api(request):
        return JsonResponse({"detail": message}, status=500)
    try:
        return _page(request, 500, _("Terjadi kesalahan di server"),
                     _("Halaman ini tidak dapat ditampilkan sekarang. Coba lagi beberapa saat lagi."),
                     with_request=False,
                     hint=_("Kesalahan ini sudah dicatat. Bila terulang, hubungi administrator."))
    except Exception:
        logger.exception("Halaman 500 tidak dapat dirender")
        return HttpResponse(FALLBACK_500, status=500)


def csrf_failure(request, reason=""):
    """403 when a form's security token is missing or stale (an old tab, cookies switched off)."""
    message = _("Formulir ini sudah kedaluwarsa atau dikirim dari halaman lama. Muat ulang halaman, lalu kirim lagi.")
    if _is_api(request):
        return JsonResponse({"detail": message}, status=403)
    return _page(request, 403, _("Formulir tidak dapat dikirim"), message,
                 hint=_("Pastikan cookie diizinkan untuk situs ini."))
