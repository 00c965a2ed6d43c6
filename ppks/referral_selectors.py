"""Reads of the referral loop, always through ``visible_to``: candidates for a letter, the referral list
(Dinas Sosial's follow-up, a unit's inbox), one referral with its history, and counts per state."""

import datetime

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.scoping import visible_to
from config.caching import cached_aggregate
from ppks.filters import ReferralFilterSet
from ppks.models import CategoryDirectorate, Referral, Registration, ServiceUnit
from ppks.models.referrals import overdue_condition
from ppks.referral_services import REFERRABLE_STATUSES


def routed_categories(directorate_code: str, day: datetime.date) -> QuerySet:
    """Ids of the categories routed to the directorate on ``day`` (routes with validity periods)."""
    return CategoryDirectorate.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day), directorate__code=directorate_code, valid_from__lte=day,
    ).values("category_id")


def referral_candidates(*, user, region_code: str, directorate_code: str, categories: list[str] | None = None,
                        verified_from: datetime.date | None = None, verified_to: datetime.date | None = None
                        ) -> QuerySet:
    """Registrations that a letter to ``directorate_code`` sent now would refer.

    Verified ones, and (for categories routed to two directorates) ones already referred or served
    elsewhere, whose category goes to this directorate today and that have no open referral to it.
    """
    today = timezone.localdate()
    queryset = visible_to(user, Registration.objects.filter(
        status__in=REFERRABLE_STATUSES, category_id__in=routed_categories(directorate_code, today),
        person__anonymised_at__isnull=True,
    )).exclude(pk__in=Referral.objects.open().filter(directorate__code=directorate_code).values("registration_id"))
    if region_code:
        queryset = queryset.filter(village__code__startswith=region_code + ".")
    if categories:
        queryset = queryset.filter(category__code__in=categories)
    if verified_from:
        queryset = queryset.filter(verified_at__date__gte=verified_from)
    if verified_to:
        queryset = queryset.filter(verified_at__date__lte=verified_to)
    return queryset


def referral_list(*, user, filters=None) -> ReferralFilterSet:
    """The referrals the user may see (a unit's own inbox, or Dinas Sosial's region), filtered."""
    queryset = visible_to(user, Referral.objects.all()).select_related(
        "registration__person", "registration__category", "registration__village__district", "unit",
        "directorate", "batch",
    ).order_by("-sent_at", "-pk")
    return ReferralFilterSet(filters if filters is not None else {}, queryset=queryset)


def referral_get(*, user, pk: int) -> Referral:
    referral = visible_to(user, Referral.objects.all()).select_related(
        "registration__person__village__district", "registration__category", "unit__directorate", "directorate",
        "batch__office", "batch__created_by", "forwarded_from__unit",
    ).filter(pk=pk).first()
    if referral is None:
        raise Http404
    return referral


def referral_history(referral: Referral) -> dict:
    """The referral's events and services, and the chain of units it passed through."""
    chain = []
    current = referral
    while current.forwarded_from_id:
        current = current.forwarded_from
        chain.append(current)
    return {
        "events": list(referral.events.select_related("actor")),
        "services": list(referral.services.select_related("recorded_by")),
        "forwarded_chain": list(reversed(chain)),
        "forwards": list(referral.forwards.select_related("unit")),
    }


def referral_state_counts(user) -> dict[str, int]:
    """Referrals the user may see per state, plus ``overdue`` (waiting past the answer deadline), in one query.

    Cached per scope until a referral changes (every letter and step marks the ``ppks`` figures stale) and
    per minute: the deadline passes with time, so ``overdue`` is counted against the current minute.
    Counting half a million referrals took ~60 ms on every landing page of the analyst (issue 21).
    """
    minute = timezone.now().replace(second=0, microsecond=0)

    def compute() -> dict[str, int]:
        return visible_to(user, Referral.objects.all()).aggregate(
            **{state: Count("pk", filter=Q(state=state)) for state in Referral.State.values},
            overdue=Count("pk", filter=overdue_condition(now=minute)),
        )

    return cached_aggregate("referral-states", user=user, domains=("ppks",), compute=compute,
                            params=(minute.isoformat(), settings.SIDBS_REFERRAL_ANSWER_DAYS))


def forward_targets(referral: Referral) -> QuerySet:
    """Active units a referral can be forwarded to (any directorate; the route decides the addressee)."""
    return ServiceUnit.objects.filter(active=True).exclude(pk=referral.unit_id).select_related("directorate")
