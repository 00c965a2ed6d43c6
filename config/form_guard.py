"""One-time form tokens: a state-changing form sent twice does its work once.

Every such form carries ``{% form_token %}`` (a builtin tag: a hidden random UUID, new each time the
page is drawn) next to ``{% csrf_token %}``. ``OneTimeFormMiddleware`` claims the token inside the
request's transaction before the view runs. A second copy of the same POST (a double click, a
resend after a timeout, the browser's "resubmit") finds the claim: on PostgreSQL it waits until
the first copy commits, then it is sent where the first one went (its redirect), with a note that
the form was already processed, instead of doing the work again or showing a false error. A first
copy that did not redirect (a form shown again with errors) leaves no claim, so the corrected form
can be sent. Forms whose repetition is harmless (sign-in, search, language) are marked
``data-repeatable`` and carry no token; ``tests/config/test_form_guard.py`` checks every template.
"""

import uuid

from django import template
from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from config.redirects import safe_referer

FIELD = "form_token"

register = template.Library()


@register.simple_tag
def form_token() -> str:
    """``<input type="hidden" name="form_token" value="…">`` with a fresh UUID."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, uuid.uuid4())


def _token(request) -> uuid.UUID | None:
    if request.method != "POST" or request.content_type not in {"application/x-www-form-urlencoded",
                                                                 "multipart/form-data"}:
        return None
    try:
        return uuid.UUID(request.POST.get(FIELD, ""))
    except ValueError:
        return None


class OneTimeFormMiddleware:
    """Claim a POST's form token before the view; answer a repeat with the first result (see module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _token(request)
        if token is None or not request.user.is_authenticated:
            return self.get_response(request)
        from accounts.models import FormSubmission

        user = request.user
        with transaction.atomic():
            try:
                with transaction.atomic():
                    claim = FormSubmission.objects.create(token=token, user=user, path=request.path[:300])
            except IntegrityError:
                return self._repeat(request, FormSubmission.objects.filter(token=token).first(), user)
            response = self.get_response(request)
            location = response.get("Location", "") if 300 <= response.status_code < 400 else ""
            if location and not location.startswith(reverse(settings.LOGIN_URL)):
                FormSubmission.objects.filter(pk=claim.pk).update(redirect_url=location[:500])
            else:
                FormSubmission.objects.filter(pk=claim.pk).delete()
            return response

    @staticmethod
    def _repeat(request, previous, user):
        if previous is None or previous.user_id != user.pk or not previous.redirect_url:
            return render(request, "errors/message.html", {
                "title": _("Formulir sudah dikirim"),
                "message": _("Formulir ini sudah pernah dikirim. Muat ulang halaman lalu coba lagi."),
                "back_url": safe_referer(request),
            }, status=409)
        messages.info(request, _("Formulir ini sudah dikirim sebelumnya; berikut hasil pengiriman pertama."))
        return redirect(previous.redirect_url)
