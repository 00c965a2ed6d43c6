from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("masuk/kode/", views.mfa_verify_view, name="mfa-verify"),
    path("keluar/", views.LogoutView.as_view(), name="logout"),
    path("kata-sandi/", views.PasswordChangeView.as_view(), name="password-change"),
    path("mfa/", views.mfa_setup_view, name="mfa-setup"),
    path("kantor/", views.office_view, name="office"),
    path("notifikasi/", views.notification_list_view, name="notifications"),
    path("notifikasi/<int:pk>/", views.notification_open_view, name="notification-open"),
]
