"""Error pages that know about the API: under /api/ a missing page or a crash answers JSON, not HTML."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

API_PREFIX = "/api/"


def not_found(request, exception=None):
    """404 for a URL that matches no route (DRF views answer their own 404s)."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": _("Alamat API tidak ditemukan.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """500 after an unhandled error; the details go to the log, never to the caller."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": _("Terjadi kesalahan di server. Coba lagi nanti.")}, status=500)
    return defaults.server_error(request)
