"""Sign-in and sign-out become audit events; sign-in also starts the session clocks and the MFA state, and
notes the name of the user's working area for the header."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts import mfa
from accounts.context_processors import user_region_label
from accounts.middleware import session_mark_login
from accounts.services import audit_record


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs):
    audit_record(actor=user, action="accounts.login", obj=user, request=request)
    if request is not None and hasattr(request, "session"):
        session_mark_login(request)
        mfa.session_mark_login(request, user)
        if user.region_code:
            user_region_label(request, user.region_code)


@receiver(user_logged_out)
def record_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action="accounts.logout", obj=user, request=request)


@receiver(user_login_failed)
def record_login_failure(sender, credentials, request=None, **kwargs):
    detail = {"username": str(credentials.get("username", ""))[:150]}
    if credentials.get("step"):
        detail["step"] = str(credentials["step"])  # "mfa": a wrong second-step code
    audit_record(actor=None, action="accounts.login_failed", detail=detail, request=request)
