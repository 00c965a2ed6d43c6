"""Every app's API under /api/v1/."""

from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("", include("villages.api.urls")),
    path("", include("ppks.api.urls")),
    path("", include("dimensions.api.urls")),
    path("", include("actionplans.api.urls")),
    path("", include("maps.api.urls")),
]
