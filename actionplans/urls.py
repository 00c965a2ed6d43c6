from django.urls import path

from actionplans import views

app_name = "actionplans"

urlpatterns = [
    path("", views.plan_list_view, name="list"),
    path("dasbor/", views.dashboard_view, name="dashboard"),
    path("desa/<str:code>/", views.village_view, name="village"),
    path("desa/<str:code>/pokja/", views.pokja_view, name="pokja"),
    path("desa/<str:code>/pokja/sk/", views.pokja_decree_view, name="pokja-decree"),
    path("desa/<str:code>/aset/", views.assets_view, name="assets"),
    path("desa/<str:code>/aset/<int:pk>/", views.assets_view, name="asset-edit"),
    path("desa/<str:code>/tahap-dbs/", views.phase_override_view, name="phase-override"),
    path("tahap/<int:pk>/", views.stage_update_view, name="stage-update"),
    path("tahap/<int:pk>/perubahan/", views.stage_change_view, name="stage-change"),
    path("perubahan-jadwal/", views.change_list_view, name="changes"),
    path("perubahan-jadwal/<int:pk>/<slug:action>/", views.stage_change_decide_view, name="stage-change-decide"),
    path("stimulan/<int:pk>/<slug:action>/", views.tranche_action_view, name="tranche-action"),
    path("<int:pk>/", views.plan_detail_view, name="detail"),
    path("<int:pk>/kegiatan/<int:activity_pk>/", views.activity_view, name="activity"),
    path("<int:pk>/kegiatan/<int:activity_pk>/bukti/<int:evidence_pk>/", views.evidence_download_view,
         name="evidence-download"),
    path("<int:pk>/<slug:action>/", views.plan_transition_view, name="transition"),
]
