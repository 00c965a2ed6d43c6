"""Sign-in and sign-out become audit events."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.services import audit_record


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs):
    audit_record(actor=user, action="accounts.login", obj=user, request=request)


@receiver(user_logged_out)
def record_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action="accounts.logout", obj=user, request=request)


@receiver(user_login_failed)
def record_login_failure(sender, credentials, request=None, **kwargs):
    audit_record(
        actor=None,
        action="accounts.login_failed",
        detail={"username": str(credentials.get("username", ""))[:150]},
        request=request,
    )
