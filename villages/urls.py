from django.urls import path

from villages import views

app_name = "villages"

urlpatterns = [
    path("", views.browse, name="browse"),
    path("cari/", views.village_search, name="search"),
    path("desa.json", views.village_lookup_view, name="village-lookup"),
    path("angkatan/", views.cohort_list_view, name="cohort-list"),
    path("angkatan/baru/", views.cohort_edit_view, name="cohort-create"),
    path("angkatan/<int:pk>/", views.cohort_detail_view, name="cohort-detail"),
    path("angkatan/<int:pk>/ubah/", views.cohort_edit_view, name="cohort-edit"),
    path("desa/<str:code>/", views.village_detail, name="village-detail"),
    path("desa/<str:code>/profil/", views.village_profile_edit, name="profile-edit"),
    path("desa/<str:code>/pilar/baru/", views.pillar_edit, name="pillar-create"),
    path("desa/<str:code>/pilar/<int:pk>/", views.pillar_edit, name="pillar-edit"),
    path("<str:code>/", views.region_detail, name="region"),
]
