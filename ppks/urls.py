from django.urls import path

from ppks import views, views_bulk

app_name = "ppks"

urlpatterns = [
    path("", views.registration_list_view, name="list"),
    path("cari/", views.registration_search_view, name="search"),
    path("daftar/", views.register_view, name="register"),
    path("registrasi/<int:pk>/", views.registration_detail_view, name="registration-detail"),
    path("registrasi/<int:pk>/<slug:action>/", views.registration_transition_view, name="registration-transition"),
    path("orang/<int:pk>/", views.person_detail_view, name="person-detail"),
    path("orang/<int:pk>/ubah/", views.person_edit_view, name="person-edit"),
    path("orang/<int:pk>/nik/", views.person_reveal_nik_view, name="person-reveal-nik"),
    path("orang/<int:pk>/data/", views.person_data_export_view, name="person-data-export"),
    path("orang/<int:pk>/anonimkan/", views.person_anonymise_view, name="person-anonymise"),
    path("orang/<int:pk>/batalkan-gabungan/", views.merge_undo_view, name="merge-undo"),

    path("massal/", views_bulk.bulk_action_view, name="bulk"),
    path("massal/<int:pk>/", views_bulk.bulk_detail_view, name="bulk-detail"),
    path("massal/<int:pk>/status/", views_bulk.bulk_status_view, name="bulk-status"),
    path("verifikasi/", views.verification_queue_view, name="verification-queue"),
    path("duplikat/", views.duplicate_queue_view, name="duplicates"),
    path("duplikat/<int:pk>/", views.duplicate_resolve_view, name="duplicate-resolve"),
    path("duplikat/<int:pk>/gabung/", views.duplicate_merge_view, name="duplicate-merge"),
    path("unduh/", views.registration_export_view, name="export"),
    path("impor/", views.import_view, name="import"),
    path("impor/templat/", views.import_template_view, name="import-template"),
    path("impor/<int:pk>/", views.import_detail_view, name="import-detail"),
    path("impor/<int:pk>/status/", views.import_status_view, name="import-status"),
    path("impor/<int:pk>/kesalahan/", views.import_errors_view, name="import-errors"),
    path("rujukan/", views.referral_list_view, name="referral-list"),
    path("rujukan/<int:pk>/", views.referral_detail_view, name="referral-detail"),
    path("rujukan/<int:pk>/nik/", views.referral_reveal_nik_view, name="referral-reveal-nik"),
    path("rujukan/<int:pk>/<slug:action>/", views.referral_action_view, name="referral-action"),
]
