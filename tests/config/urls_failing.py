"""URLs for the error-tracking test: the project's URLs plus one view that fails."""

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def failing_view(request):
    raise ValueError("Gagal memproses NIK 3511015203850003")


urlpatterns = [*project_urlpatterns, path("uji-gagal/", failing_view, name="uji-gagal")]
