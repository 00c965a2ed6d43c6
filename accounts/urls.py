from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("masuk/kode/", views.mfa_verify_view, name="mfa-verify"),
    path("keluar/", views.LogoutView.as_view(), name="logout"),
    path("kata-sandi/", views.PasswordChangeView.as_view(), name="password-change"),
    path("kata-sandi/lupa/", views.password_reset_view, name="password-reset"),
    path("kata-sandi/lupa/terkirim/", views.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path("kata-sandi/atur/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
    path("kata-sandi/atur/selesai/", views.PasswordResetCompleteView.as_view(), name="password-reset-complete"),
    path("mfa/", views.mfa_setup_view, name="mfa-setup"),
    path("kantor/", views.office_view, name="office"),
    path("token/", views.api_token_view, name="api-token"),
    path("notifikasi/", views.notification_list_view, name="notifications"),
    path("notifikasi/<int:pk>/", views.notification_open_view, name="notification-open"),
]
