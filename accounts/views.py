"""Sign-in (with the optional second step), sign-out, password change, MFA set-up and the audit log."""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import mfa, notifications, offices
from accounts.access import require_page
from accounts.audit_export import audit_csv_rows
from accounts.audit_labels import action_label
from accounts.forms import (
    CodeForm,
    LoginForm,
    OfficeForm,
    PasswordChangeForm,
    PasswordCheckForm,
    PasswordResetRequestForm,
    SetPasswordForm,
    SignatoryForm,
)
from accounts.models import Notification, Office
from accounts.selectors import audit_event_list, audit_page
from accounts.services import audit_record
from config.ratelimit import rate_limited
from config.redirects import safe_next


class LoginView(auth_views.LoginView):
    """Password first; a user with an authenticator then goes to the code page before anything else."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        if mfa.session_needs_code(self.request):
            return redirect("{}?{}".format(reverse("accounts:mfa-verify"),
                                           urlencode({"next": self.get_success_url()})))
        return response


class LogoutView(auth_views.LogoutView):
    pass


def _locked_out(request):
    """Sign the session out and show the axes lock page."""
    credentials = {"username": request.user.get_username()}
    logout(request)
    return get_lockout_response(request, None, credentials)


def _count_failure(request, step: str):
    """A wrong code or password inside a signed-in session counts for axes like a failed sign-in."""
    user_login_failed.send(sender=__name__, credentials={"username": request.user.get_username(), "step": step},
                           request=request)
    if getattr(request, "axes_locked_out", False):
        return _locked_out(request)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify_view(request):
    """The second sign-in step: a code from the authenticator app or a backup code."""
    next_url = safe_next(request)
    if not mfa.session_needs_code(request):
        return redirect(next_url)
    if AxesProxyHandler.is_locked(request, {"username": request.user.get_username()}):
        return _locked_out(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = mfa.throttled_seconds(request.user) if form.cleaned_data["code"].isdigit() else 0
        if wait:
            form.add_error("code", _("Terlalu banyak kode salah. Tunggu {seconds} detik, lalu coba lagi.").format(
                seconds=wait))
        elif mfa.code_verify(request=request, token=form.cleaned_data["code"]):
            return redirect(next_url)
        else:
            if getattr(request, "axes_locked_out", False):
                return _locked_out(request)
            form.add_error("code", _("Kode salah atau sudah dipakai. Pastikan jam di ponsel Anda tepat, lalu "
                                     "coba lagi."))
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": next_url})


@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup_view(request):
    """Turn on two-step sign-in (QR code, first code, backup codes once) or turn it off (password again)."""
    user = request.user
    if not mfa.mfa_eligible(user):
        raise PermissionDenied(_("Verifikasi dua langkah hanya untuk administrator dan pimpinan Dinas Sosial."))
    action = request.POST.get("action", "")
    device = mfa.totp_device(user)
    if device is None:
        pending = mfa.enrolment_start(user=user)
        form = CodeForm(request.POST if action == "confirm" else None)
        if action == "confirm" and form.is_valid():
            codes = mfa.enrolment_confirm(request=request, device=pending, token=form.cleaned_data["code"])
            if codes is not None:
                messages.success(request, _("Verifikasi dua langkah aktif."))
                return _codes_page(request, codes)
            form.add_error("code", _("Kode tidak cocok. Pindai ulang kode QR atau periksa jam di ponsel Anda."))
        return render(request, "accounts/mfa_setup.html", {
            "form": form, "qr": mfa.qr_data_uri(pending.config_url), "secret": mfa.secret_text(pending),
            "required": mfa.mfa_required(user),
        })
    password_form = PasswordCheckForm(request.POST if action in {"disable", "codes"} else None, user=user)
    if action in {"disable", "codes"}:
        if not password_form.is_valid():
            locked = (_count_failure(request, "password-check")
                      if password_form.has_error("password", "wrong") else None)
            if locked is not None:
                return locked
        elif action == "codes":
            return _codes_page(request, mfa.backup_codes_renew(request=request))
        elif mfa.mfa_required(user):
            password_form.add_error(None, _("Administrator wajib memakai verifikasi dua langkah; fitur ini tidak "
                                            "dapat dimatikan."))
        else:
            mfa.mfa_disable(request=request)
            messages.success(request, _("Verifikasi dua langkah dimatikan."))
            return redirect("accounts:mfa-setup")
    return render(request, "accounts/mfa_status.html", {
        "device": device, "codes_left": mfa.backup_codes_left(user), "password_form": password_form,
        "required": mfa.mfa_required(user),
    })


def _codes_page(request, codes: list[str]):
    response = render(request, "accounts/mfa_codes.html", {"codes": codes})
    response["Cache-Control"] = "no-store"
    return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's password; the other sessions of the user end, this one stays signed in."""

    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("dashboard")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(actor=self.request.user, action="accounts.password_change", obj=self.request.user,
                     request=self.request)
        messages.success(self.request, _("Kata sandi diganti. Sesi Anda di perangkat lain sudah diakhiri."))
        return response


# ---------------------------------------------------------------------------------------------
# Audit log (administrators)
# ---------------------------------------------------------------------------------------------


def _require_admin(user) -> None:
    if not user.is_admin:
        raise PermissionDenied(_("Log audit hanya untuk administrator."))


@login_required
@require_GET
def audit_list_view(request):
    """Audit events, newest first, filtered; pages without an exact count over the whole table."""
    require_page(request.user, "audit:list")
    filterset = audit_event_list(filters=request.GET)
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = audit_page(queryset, request.GET.get("page"))
    for event in page:
        event.action_label = action_label(event.action)
    query = request.GET.copy()
    query.pop("page", None)
    response = render(request, "accounts/audit_list.html", {
        "filterset": filterset, "page": page, "query": query.urlencode(),
    })
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
@rate_limited("exports", methods=("GET",))
def audit_export_view(request):
    """The filtered events as CSV (streamed); the export is itself an audit event."""
    _require_admin(request.user)
    params = request.GET.copy()
    params.pop("page", None)
    filterset = audit_event_list(filters=params)
    if not filterset.is_valid():
        return render(request, "accounts/audit_list.html", {"filterset": filterset, "page": None, "query": ""},
                      status=400)
    audit_record(actor=request.user, action="accounts.audit.export", request=request,
                 detail={"filters": {name: value for name, value in params.items() if value}})
    response = StreamingHttpResponse(audit_csv_rows(filterset.qs), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="log-audit-{}.csv"'.format(
        timezone.localdate().isoformat())
    response["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------------------------------------
# Offices and signatories
# ---------------------------------------------------------------------------------------------


def _office_for_page(request) -> Office:
    """The user's own office; administrators may open any office by ``?kode=`` (a region code)."""
    code = request.GET.get("kode", "").strip()
    if code and (request.user.is_superuser or request.user.role == request.user.Role.ADMIN):
        try:
            return offices.office_for_region(code)
        except (ValidationError, ObjectDoesNotExist) as error:
            raise Http404 from error
    office = offices.office_of(request.user)
    if office is None:
        raise PermissionDenied(_("Akun Anda belum terhubung dengan kantor penerbit surat."))
    return office


@login_required
@require_http_methods(["GET", "POST"])
def office_view(request):
    """The kop surat, numbering and signatories of the user's office; the head (or an administrator) edits them."""
    office = _office_for_page(request)
    can_manage = offices.can_manage_office(request.user, office)
    office_form = OfficeForm(instance=office, prefix="office")
    signatory_form = SignatoryForm(prefix="signatory")
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("Hanya administrator atau kepala dinas yang dapat mengubah data kantor."))
        target = request.POST.get("form")
        try:
            if target == "office":
                office_form = OfficeForm(request.POST, request.FILES, instance=office, prefix="office")
                if office_form.is_valid():
                    offices.office_update(office=office, actor=request.user, data={
                        name: office_form.cleaned_data[name] for name in office_form.changed_data})
                    messages.success(request, _("Data kantor disimpan."))
                    return redirect(request.get_full_path())
            elif target == "signatory":
                signatory_form = SignatoryForm(request.POST, prefix="signatory")
                if signatory_form.is_valid():
                    offices.signatory_save(office=office, actor=request.user, data=signatory_form.cleaned_data)
                    messages.success(request, _("Penanda tangan {name} ditambahkan.").format(
                        name=signatory_form.cleaned_data["name"]))
                    return redirect(request.get_full_path())
            elif target == "deactivate":
                signatory = get_object_or_404(office.signatories, pk=request.POST.get("signatory"))
                offices.signatory_save(office=office, actor=request.user, signatory=signatory, data={"active": False})
                messages.success(request, _("{name} tidak lagi menandatangani surat.").format(name=signatory.name))
                return redirect(request.get_full_path())
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return render(request, "accounts/office.html", {
        "office": office, "can_manage": can_manage, "office_form": office_form, "signatory_form": signatory_form,
        "signatories": list(offices.signatories_for(office)) + list(office.signatories.filter(active=False)),
        "missing": offices.office_missing_for_letters(office),
    })


# ---------------------------------------------------------------------------------------------
# Notifications
# ---------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def notification_list_view(request):
    """The user's inbox, newest first; POST marks everything read."""
    if request.method == "POST":
        notifications.notifications_mark_read(user=request.user)
        messages.success(request, _("Semua notifikasi ditandai sudah dibaca."))
        return redirect("accounts:notifications")
    page = Paginator(Notification.objects.filter(recipient=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "accounts/notifications.html", {
        "page": page, "items": notifications.notifications_with_text(page.object_list)})


@login_required
@require_GET
def notification_open_view(request, pk: int):
    """Mark one notification read and go to what it is about."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notifications.notifications_mark_read(user=request.user, notification_ids=[notification.pk])
    target = notification.url if url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None) else ""
    return redirect(target or "accounts:notifications")


# ---------------------------------------------------------------------------------------------
# API tokens
# ---------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def api_token_view(request):
    """The user's API token: when it was issued and expires, a new one (shown once), or revoke it."""
    from rest_framework.authtoken.models import Token

    from accounts import api_tokens

    new_key = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            api_tokens.token_revoke(user=request.user, request=request)
            messages.success(request, _("Token API dicabut; aplikasi yang memakainya tidak dapat masuk lagi."))
            return redirect("accounts:api-token")
        new_key = api_tokens.token_issue(user=request.user, request=request).key
    token = Token.objects.filter(user=request.user).first()
    response = render(request, "accounts/api_token.html", {
        "token": token, "new_key": new_key, "masked": (token.key[:4] + "…" + token.key[-4:]) if token else "",
        "expires_at": api_tokens.token_expires_at(token) if token else None, "now": timezone.now(),
    })
    response["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------------------------------------
# Password reset (issue 15, item 9)
# ---------------------------------------------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by email: rate-limited per address, audited, and the same answer whether the
    address is known or not (no account oracle)."""

    template_name = "accounts/password_reset_form.html"
    form_class = PasswordResetRequestForm
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")

    def form_valid(self, form):
        users = list(form.get_users(form.cleaned_data["email"]))
        response = super().form_valid(form)
        for user in users:
            audit_record(actor=None, action="accounts.password_reset.request", obj=user, request=self.request)
        return response

    @property
    def extra_email_context(self):
        return {"site_url": settings.SITE_URL}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A new password from a valid link; the old sessions and the API token end with the old password."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")
    form_class = SetPasswordForm

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(actor=form.user, action="accounts.password_reset.complete", obj=form.user, request=self.request)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


password_reset_view = rate_limited("password_reset")(PasswordResetView.as_view())
