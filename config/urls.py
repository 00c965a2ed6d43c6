from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config import pwa, views
from config.api import ObtainAuthTokenView
from config.metrics import metrics_view
from config.search import search_view

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("cari/", search_view, name="search"),
    path("metrics", metrics_view, name="metrics"),
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("luring/", include("config.pwa_urls")),
    path("akun/", include("accounts.urls")),
    path("audit/", include("accounts.audit_urls")),
    path("wilayah/", include("villages.urls")),
    path("ppks/", include("ppks.urls")),
    path("asesmen/", include("dimensions.urls")),
    path("rencana/", include("actionplans.urls")),
    path("reports/", include("reports.urls")),
    path("peta/", include("maps.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("config.api_router")),
    path("api/v1/auth/token/", ObtainAuthTokenView.as_view(), name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

# Uploaded and generated files (MEDIA_ROOT) are never served directly, not even with DEBUG: each
# is sent by a view that checks who may see it (ppks imports, activity evidence, reports).

handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.not_found"
handler500 = "config.errors.server_error"
