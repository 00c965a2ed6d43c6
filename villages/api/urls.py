from django.urls import path

from villages.api import views

urlpatterns = [
    path("regions/", views.RegionChildrenApi.as_view(), name="region-children"),
    path("villages/", views.VillageListApi.as_view(), name="village-list"),
    path("villages/<str:code>/", views.VillageDetailApi.as_view(), name="village-detail"),
]
