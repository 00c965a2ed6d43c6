"""The offline-first Pensosmas pages (PWA): manifest, service worker, outbox page, offline survey entry.

The service worker (``static/js/sw.js``) is served from the site root so its scope covers every page;
it caches the app shell (CSS, scripts) and the user's own working pages listed in ``OFFLINE_PAGES``,
and never the pages of other people's data. Entries made without signal wait in an IndexedDB outbox
(``static/js/outbox.js``) and are sent through the idempotent API (``Idempotency-Key`` / ``client_uuid``).
"""

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.scoping import visible_to
from dimensions.forms import AssessmentCreateForm, RespondentForm, SurveyForm
from dimensions.models import Assessment, Indicator
from dimensions.services import active_instrument
from ppks.permissions import can_register
from ppks.selectors import categories_with_directorates
from villages.models import Village

# Static files every offline page needs (the app shell), precached when the service worker installs.
SHELL_ASSETS = ("css/app.css", "js/app.js", "js/pwa.js", "js/outbox.js", "js/offline-forms.js", "js/village-picker.js",
                "img/favicon.svg")


def offline_pages() -> list[str]:
    """The user's own working pages kept for use without signal (cleared on sign-out)."""
    return [
        reverse("dashboard"), reverse("ppks:register"), reverse("offline:survey"), reverse("offline:outbox"),
        reverse("offline:reference"),
    ]


@lru_cache(maxsize=1)
def _worker_source() -> tuple[str, str]:
    """The service worker's code and a version that changes whenever it or a shell asset changes."""
    source = Path(finders.find("js/sw.js")).read_text(encoding="utf-8")
    digest = hashlib.sha256(source.encode())
    for asset in SHELL_ASSETS:
        path = finders.find(asset)
        if path:
            digest.update(Path(path).read_bytes())
    return source, digest.hexdigest()[:12]


@require_GET
def service_worker(request):
    """``/sw.js``: the worker with its configuration (versioned cache names, URLs of the shell and pages)."""
    if settings.DEBUG:
        _worker_source.cache_clear()  # edits show up without a restart
    source, version = _worker_source()
    config = {
        "version": version,
        "shell": [static(asset) for asset in SHELL_ASSETS],
        "outboxScript": static("js/outbox.js"),
        "pages": offline_pages(),
        "fallback": reverse("offline:outbox"),
        "login": reverse("accounts:login"),
        "logout": reverse("accounts:logout"),
    }
    body = "self.SIDBS_CONFIG = {};\n{}".format(json.dumps(config), source)
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request):
    """``/manifest.webmanifest``: lets a phone install SI-DBS on its home screen, opening the Pensosmas home."""
    body = {
        "name": _("SI-DBS · Desa Berketahanan Sosial"),
        "short_name": "SI-DBS",
        "start_url": reverse("dashboard"),
        "scope": "/",
        "display": "standalone",
        "lang": "id",
        "background_color": "#ffffff",
        "theme_color": "#0b5d3b",
        "icons": [{"src": static("img/favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@never_cache
@require_GET
def session_state(request):
    """Who is signed in and a fresh CSRF token, asked before the outbox is sent (401 when signed out)."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": _("Sesi berakhir. Masuk lagi untuk mengirim kotak keluar.")}, status=401)
    return JsonResponse({"user": request.user.get_username(), "csrf": get_token(request)})


@login_required
def outbox_view(request):
    """The outbox: entries kept on this device, their state, and "Kirim sekarang" (drawn by outbox.js)."""
    return render(request, "offline/outbox.html", {"register_url": reverse("ppks:register")})


@login_required
def survey_entry_view(request):
    """A village survey typed without signal: village, one respondent and the answers, sent later in one call."""
    if not can_register(request.user):
        raise PermissionDenied
    context = {
        "assessment_form": AssessmentCreateForm(user=request.user),
        "respondent_form": RespondentForm(prefix="respondent"),
    }
    try:
        indicators = list(Indicator.objects.filter(dimension__instrument=active_instrument())
                          .select_related("dimension").order_by("dimension__number", "code"))
    except ValidationError:  # no active instrument: the page says so
        indicators = None
    if indicators is not None:
        context["survey_form"] = SurveyForm(indicators=indicators, prefix="answer")
    return render(request, "offline/survey.html", context)


@login_required
@require_GET
def reference_data(request):
    """Reference data for offline entry: PPKS categories, the villages in the user's scope, the instrument."""
    villages = visible_to(request.user, Village.objects.active()).select_related("district").order_by("name")[:500]
    try:
        instrument = active_instrument()
    except ValidationError:
        instrument = None
    body = {
        "user": request.user.get_username(),
        "categories": [{"code": category.code, "name": category.name, "min_age": category.min_age,
                        "max_age": category.max_age, "required_sex": category.required_sex}
                       for category in categories_with_directorates()],
        "villages": [{"code": village.code, "name": village.name, "district": village.district.name}
                     for village in villages],
        "phases": [{"code": code, "name": str(label)} for code, label in Assessment.Phase.choices],
        "instrument": None if instrument is None else {
            "code": instrument.code, "name": instrument.name,
            "indicators": list(Indicator.objects.filter(dimension__instrument=instrument)
                               .order_by("dimension__number", "code").values("code", "text", "scale_min", "scale_max")),
        },
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-cache"
    return response
