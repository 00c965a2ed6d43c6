"""Project-level pages: the role dashboard and the health check."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.context_processors import user_region_label
from accounts.scoping import scope_of
from config.health import health_report
from dimensions.selectors import assessments_to_complete
from ppks.referral_selectors import referral_state_counts
from ppks.selectors import registration_status_counts, registrations_to_finish
from reports.selectors import region_label
from villages.selectors import region_summary_for

# Roles whose landing page shows the region and PPKS figures of their scope.
SUMMARY_ROLES = frozenset({"admin", "kemensos_analyst", "dinsos_provinsi", "dinsos_kabupaten"})
# Roles whose landing page shows the referrals they follow (sent from their region, or addressed to their unit).
REFERRAL_ROLES = SUMMARY_ROLES | {"unit_officer"}


@login_required
def dashboard(request):
    """The landing page; its template and figures depend on the user's role (figures cached per scope)."""
    user = request.user
    role = "admin" if user.is_superuser else (user.role or "none")
    scope = scope_of(user)
    context = {"scope": scope, "role": role}
    if scope.region_code:
        # "Kabupaten Bondowoso", not "35.11": the user's own area from the session, as the header reads it.
        context["scope_label"] = (user_region_label(request, scope.region_code)
                                  if scope.region_code == user.region_code else region_label(scope.region_code))
    if role in SUMMARY_ROLES:
        context.update(summary=region_summary_for(user), registrations=registration_status_counts(user))
    if role == "pensosmas":
        context.update(tasks=registrations_to_finish(user=user), assessments=assessments_to_complete(user=user))
    if role in REFERRAL_ROLES:
        context.update(referrals=referral_state_counts(user), answer_days=settings.SIDBS_REFERRAL_ANSWER_DAYS)
    return render(request, "dashboard/{}.html".format(role), context)


@never_cache
@require_GET
def healthz(request):
    """No authentication. 200 when the database and the broker answer (503 otherwise), with the number of
    live Celery workers and the queue depths; "degraded" when a broker is set but no worker is alive."""
    body, status = health_report(connection)
    return JsonResponse(body, status=status)
