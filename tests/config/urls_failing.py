"""URLs for the error-tracking and error-page tests: the project's URLs plus views that fail."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401 (the project's error pages)
from config.urls import urlpatterns as project_urlpatterns


def failing_view(request):
    raise ValueError("Gagal memproses NIK 3511015203850003")


def forbidden_view(request):
    raise PermissionDenied("Wilayah 33 di luar wilayah kerja Anda.")


def bad_request_view(request):
    raise SuspiciousOperation("permintaan aneh")


urlpatterns = [
    *project_urlpatterns,
    path("uji-gagal/", failing_view, name="uji-gagal"),
    path("uji-terlarang/", forbidden_view, name="uji-terlarang"),
    path("uji-400/", bad_request_view, name="uji-400"),
]
