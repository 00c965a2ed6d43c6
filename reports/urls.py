from django.urls import path

from reports import views, views_print

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("minta/", views.report_request, name="request"),
    path("rujukan/", views.referral_preview, name="referral"),
    path("profil-desa/<str:code>/", views.village_profile_request, name="village-profile"),
    path("formulir/pendaftaran-ppks.pdf", views_print.blank_registration_form_view, name="form-registration"),
    path("formulir/kuesioner.pdf", views_print.blank_questionnaire_view, name="form-questionnaire"),
    path("lembar-kasus/<int:pk>.pdf", views_print.case_sheet_view, name="case-sheet"),
    path("<uuid:pk>/", views.report_detail, name="detail"),
    path("<uuid:pk>/status/", views.report_status, name="status"),
    path("<uuid:pk>/ulang/", views.report_retry, name="retry"),
    path("<uuid:pk>/unduh/", views.report_download, name="download"),
    path("<uuid:pk>/salinan/", views.report_masked_copy, name="masked-copy"),
    path("verify/<uuid:pk>/", views.report_verify, name="verify"),
]
