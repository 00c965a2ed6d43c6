from django.urls import path

from maps import views

app_name = "maps"

urlpatterns = [
    path("", views.map_page, name="map"),
    path("angka.csv", views.map_csv, name="map-csv"),
    path("grafik/", views.charts_page, name="charts"),
    path("grafik/<slug:chart>.csv", views.chart_csv, name="chart-csv"),
]
