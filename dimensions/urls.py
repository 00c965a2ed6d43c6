from django.urls import path

from dimensions import views

app_name = "dimensions"

urlpatterns = [
    path("", views.assessment_list_view, name="list"),
    path("baru/", views.assessment_create_view, name="create"),
    path("pemetaan/", views.mapping_view, name="mapping"),
    path("desa/<str:code>/", views.village_history_view, name="village-history"),
    path("<int:pk>/", views.assessment_detail_view, name="detail"),
    path("<int:pk>/impor/", views.answers_import_view, name="import"),
    path("<int:pk>/responden/<int:respondent_pk>/", views.survey_view, name="survey"),
    path("<int:pk>/<slug:action>/", views.assessment_transition_view, name="transition"),
]
