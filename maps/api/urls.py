from django.urls import path

from maps.api import views

urlpatterns = [
    path("maps/", views.MapApi.as_view(), name="map"),
    path("maps/measures/", views.MeasureListApi.as_view(), name="map-measures"),
    path("maps/charts/", views.ChartApi.as_view(), name="map-chart"),
]
