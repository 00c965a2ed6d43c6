"""Sign-in, second-step code, password re-check and password change forms, in Indonesian."""

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import Office, Signatory


class LoginForm(AuthenticationForm):
    username = forms.CharField(label=_("Nama pengguna"), widget=forms.TextInput(attrs={"autofocus": True}))
    password = forms.CharField(
        label=_("Kata sandi"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    error_messages = {
        "invalid_login": _("Nama pengguna atau kata sandi salah. Periksa kembali, huruf besar/kecil dibedakan."),
        "inactive": _("Akun ini tidak aktif. Hubungi administrator."),
    }


class CodeForm(forms.Form):
    """The second sign-in step: a 6-digit code from the app, or one backup code."""

    code = forms.CharField(
        label=_("Kode verifikasi"),
        max_length=20,
        help_text=_("6 angka dari aplikasi autentikator, atau salah satu kode cadangan."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not code.isalnum():
            raise forms.ValidationError(_("Kode hanya berisi angka atau huruf."))
        return code


class PasswordCheckForm(forms.Form):
    """Asks for the current password again before a security setting changes (ASVS 7.5.1)."""

    password = forms.CharField(
        label=_("Kata sandi Anda"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Kata sandi salah."), code="wrong")
        return password


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's password change with Indonesian labels; the validators of AUTH_PASSWORD_VALIDATORS apply."""

    error_messages = {
        **auth_forms.SetPasswordForm.error_messages,
        "password_incorrect": _("Kata sandi lama salah. Periksa kembali."),
        "password_mismatch": _("Kedua kata sandi baru tidak sama."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Kata sandi lama")
        self.fields["new_password1"].label = _("Kata sandi baru")
        self.fields["new_password2"].label = _("Ulangi kata sandi baru")
        self.fields["new_password1"].help_text = _(
            "Paling sedikit {length} karakter, tidak mirip nama pengguna, bukan kata sandi umum dan tidak "
            "seluruhnya angka. Kalimat pendek yang mudah Anda ingat lebih aman daripada kata yang rumit."
        ).format(length=password_min_length())


class SetPasswordForm(auth_forms.SetPasswordForm):
    """A new password from a reset link, with the same Indonesian labels and rules as the change form."""

    error_messages = {**auth_forms.SetPasswordForm.error_messages,
                      "password_mismatch": _("Kedua kata sandi baru tidak sama.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Kata sandi baru")
        self.fields["new_password2"].label = _("Ulangi kata sandi baru")
        self.fields["new_password1"].help_text = _(
            "Paling sedikit {length} karakter, tidak mirip nama pengguna, bukan kata sandi umum dan tidak "
            "seluruhnya angka."
        ).format(length=password_min_length())


class PasswordResetRequestForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(label=_("Alamat pos-el akun Anda"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))


def password_min_length() -> int:
    for validator in settings.AUTH_PASSWORD_VALIDATORS:
        if validator["NAME"].endswith("MinimumLengthValidator"):
            return validator.get("OPTIONS", {}).get("min_length", 8)
    return 8


class OfficeForm(forms.ModelForm):
    """The kop surat and numbering data of an office; the lambang passes the image upload checks."""

    EMBLEM_MAX_BYTES = 1024 * 1024

    class Meta:
        model = Office
        fields = ["government_name", "name", "address", "city", "postal_code", "phone", "email", "website", "emblem",
                  "classification_code", "letter_code", "copies_to"]
        widgets = {"copies_to": forms.Textarea(attrs={"rows": 3}), "address": forms.TextInput()}

    def clean_emblem(self):
        from config import uploads

        emblem = self.cleaned_data.get("emblem")
        if emblem and hasattr(emblem, "content_type"):  # a new upload, not the stored file
            try:
                extension = uploads.check_upload(emblem, extensions=uploads.IMAGE_EXTENSIONS,
                                                 max_bytes=self.EMBLEM_MAX_BYTES)
            except uploads.UploadRejected as error:
                raise forms.ValidationError(error.message) from error
            emblem.name = uploads.random_name("lambang" + extension)
        return emblem

    def clean_postal_code(self):
        value = self.cleaned_data["postal_code"].strip()
        if value and not (len(value) == 5 and value.isascii() and value.isdigit()):
            raise forms.ValidationError(_("Kode pos 5 angka."))
        return value


class SignatoryForm(forms.ModelForm):
    nip = forms.CharField(
        label=_("NIP"), max_length=24, help_text=_("18 digit; spasi boleh, mis. 19700101 199503 1 001."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "19700101 199503 1 001"}),
    )

    class Meta:
        model = Signatory
        fields = ["mode", "name", "nip", "rank", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rank"].choices = [("", _("— pilih pangkat/golongan —")), *Signatory.Rank.choices]

    def clean_nip(self):
        value = "".join(self.cleaned_data["nip"].split())
        if not (len(value) == 18 and value.isascii() and value.isdigit()):
            raise forms.ValidationError(_("NIP harus 18 digit angka (spasi boleh)."))
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == Signatory.Mode.ON_BEHALF and not (cleaned.get("position") or "").strip():
            self.add_error("position", _("Untuk a.n., isi jabatan penanda tangan (mis. Sekretaris)."))
        return cleaned
