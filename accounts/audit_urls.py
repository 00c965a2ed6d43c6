"""The audit log for administrators, mounted at /audit/."""

from django.urls import path

from accounts import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_list_view, name="list"),
    path("unduh/", views.audit_export_view, name="export"),
]
