from django.urls import path

from actionplans import views

app_name = "actionplans"

urlpatterns = [
    path("", views.plan_list_view, name="list"),
    path("dasbor/", views.dashboard_view, name="dashboard"),
    path("desa/<str:code>/", views.village_view, name="village"),
    path("desa/<str:code>/pokja/", views.pokja_view, name="pokja"),
    path("tahap/<int:pk>/", views.stage_update_view, name="stage-update"),
    path("<int:pk>/", views.plan_detail_view, name="detail"),
    path("<int:pk>/kegiatan/<int:activity_pk>/", views.activity_view, name="activity"),
    path("<int:pk>/kegiatan/<int:activity_pk>/bukti/<int:evidence_pk>/", views.evidence_download_view,
         name="evidence-download"),
    path("<int:pk>/<slug:action>/", views.plan_transition_view, name="transition"),
]
