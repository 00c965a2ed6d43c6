"""Two-step sign-in (MFA): TOTP authenticator apps with one-time backup codes, on django-otp.

Who may enrol: administrators and Dinas Sosial heads (``User.is_head``). With
``SIDBS_MFA_REQUIRED_FOR_ADMINS`` administrators without a device must enrol before they can use
the site. After the password step, a user with a confirmed device is signed in but not verified;
``accounts.middleware.MFAMiddleware`` sends such a session to the code page until a TOTP or backup
code is accepted. What the session needs is remembered in the session (``MFA_SESSION_KEY``) at
sign-in, so ordinary requests cost no device query.

Wrong codes are reported as failed sign-ins (``user_login_failed``), so django-axes counts and locks
them like wrong passwords; each device also slows down repeated failures (django-otp throttling).
API tokens (``Authorization: Token …``) are a separate credential and are not asked for a code.
"""

import base64
import io

import django_otp
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import audit_record

MFA_SESSION_KEY = "sidbs_mfa"
MFA_NONE = "none"  # no device: nothing to ask
MFA_PENDING = "pending"  # confirmed device, code not given yet in this session
BACKUP_CODE_COUNT = 10
DEVICE_NAME = "SI-DBS"


def mfa_eligible(user) -> bool:
    """Administrators (and staff with admin-site access) and Dinas Sosial heads may enrol."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.is_staff or user.role == user.Role.ADMIN or (user.is_dinsos and user.is_head)


def mfa_required(user) -> bool:
    """An administrator must have a device when SIDBS_MFA_REQUIRED_FOR_ADMINS is on."""
    return bool(getattr(settings, "SIDBS_MFA_REQUIRED_FOR_ADMINS", False)) and user.is_authenticated and (
        user.is_superuser or user.role == user.Role.ADMIN)


def totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_mfa(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def session_mark_login(request, user) -> None:
    """At sign-in: remember whether this session still owes a code."""
    request.session[MFA_SESSION_KEY] = MFA_PENDING if has_mfa(user) else MFA_NONE


def session_needs_code(request) -> bool:
    user = request.user
    # Right after ``login()`` request.user is the plain user, without OTPMiddleware's is_verified().
    if not user.is_authenticated or getattr(user, "is_verified", lambda: False)():
        return False
    state = request.session.get(MFA_SESSION_KEY)
    if state is None:  # a session from before this feature, or a test's force_login without a request
        session_mark_login(request, user)
        state = request.session[MFA_SESSION_KEY]
    return state == MFA_PENDING


def qr_data_uri(text: str) -> str:
    """A QR code of ``text`` as an SVG data URI, drawn on the server (no external service)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def secret_text(device: TOTPDevice) -> str:
    """The secret key in base32, in groups of four, for typing into an app by hand."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[index:index + 4] for index in range(0, len(secret), 4))


@transaction.atomic
def enrolment_start(*, user) -> TOTPDevice:
    """The unconfirmed device being set up (a new secret each time a new set-up starts)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def _new_backup_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("Kode cadangan"), confirmed=True)
    codes = [StaticToken.random_token() for _index in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def enrolment_confirm(*, request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the new device with a first code; returns the backup codes (shown once) or None."""
    user = request.user
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    if not device.verify_token(_clean(token)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = _new_backup_codes(user)
    django_otp.login(request, device)
    request.session[MFA_SESSION_KEY] = MFA_PENDING  # has a device now; this session is verified
    audit_record(actor=user, action="accounts.mfa.enable", obj=user, request=request)
    return codes


@transaction.atomic
def backup_codes_renew(*, request) -> list[str]:
    codes = _new_backup_codes(request.user)
    audit_record(actor=request.user, action="accounts.mfa.backup_codes", obj=request.user, request=request)
    return codes


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def mfa_disable(*, request) -> None:
    user = request.user
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    request.session[MFA_SESSION_KEY] = MFA_NONE
    audit_record(actor=user, action="accounts.mfa.disable", obj=user, request=request)


def _clean(token: str) -> str:
    return "".join(str(token).split()).lower()


def code_verify(*, request, token: str) -> bool:
    """Check a TOTP or backup code for the signed-in user; on success the session is verified.

    A wrong code is a failed sign-in for django-axes (which may then lock the username at this
    address) and an audit event.
    """
    user = request.user
    token = _clean(token)
    device = None
    if token.isdigit():
        totp = totp_device(user)
        if totp is not None:
            device = django_otp.verify_token(user, totp.persistent_id, token)
    else:
        for static in StaticDevice.objects.filter(user=user, confirmed=True):
            device = django_otp.verify_token(user, static.persistent_id, token)
            if device is not None:
                break
    if device is None:
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username(), "step": "mfa"}, request=request
        )
        return False
    request.session.cycle_key()
    django_otp.login(request, device)
    audit_record(actor=user, action="accounts.mfa.verified", obj=user, request=request,
                 detail={"method": "backup" if isinstance(device, StaticDevice) else "totp"})
    return True


def throttled_seconds(user) -> int:
    """Seconds the user's authenticator must wait after recent wrong codes (django-otp throttling)."""
    device = totp_device(user)
    if device is None:
        return 0
    allowed, detail = device.verify_is_allowed()
    if allowed or not detail or not detail.get("locked_until"):
        return 0
    return max(int((detail["locked_until"] - timezone.now()).total_seconds()) + 1, 1)
