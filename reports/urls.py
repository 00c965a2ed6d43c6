from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("minta/", views.report_request, name="request"),
    path("rujukan/", views.referral_preview, name="referral"),
    path("profil-desa/<str:code>/", views.village_profile_request, name="village-profile"),
    path("<uuid:pk>/", views.report_detail, name="detail"),
    path("<uuid:pk>/status/", views.report_status, name="status"),
    path("<uuid:pk>/ulang/", views.report_retry, name="retry"),
    path("<uuid:pk>/unduh/", views.report_download, name="download"),
    path("<uuid:pk>/salinan/", views.report_masked_copy, name="masked-copy"),
    path("verify/<uuid:pk>/", views.report_verify, name="verify"),
]
