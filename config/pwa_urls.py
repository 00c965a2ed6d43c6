"""The offline Pensosmas pages under /luring/ (the worker and manifest live at the site root, config/urls.py)."""

from django.urls import path

from config import pwa

app_name = "offline"

urlpatterns = [
    path("kotak-keluar/", pwa.outbox_view, name="outbox"),
    path("survei/", pwa.survey_entry_view, name="survey"),
    path("referensi/", pwa.reference_data, name="reference"),
    path("sesi/", pwa.session_state, name="session"),
]
