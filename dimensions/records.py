"""Administrative (A) indicators computed from the app's own records instead of respondents' opinions.

IKSM-Desa marks some indicators as administrative: their truth is in the registry, not in what
respondents believe. Each rule below reads the village's records as of a date and returns the
value, an Indonesian description of it, and its score on the indicator's 1–5 scale (or no score
when the records cannot answer, e.g. a share of zero registrations):

- ``psks_active_types`` (2.1): how many of the 12 official PSKS types have an active pillar in the
  village (local types do not count); 0–1 → 1, 2–3 → 2, 4–5 → 3, 6–7 → 4, ≥ 8 → 5.
- ``ppks_freshness`` (1.1): months since the village's PPKS list last received or verified an entry;
  none → 1, more than 24 → 2, ≤ 24 → 3, ≤ 12 → 4. Score 5 also needs the list proposed to
  DTKS/DTSEN, which the app does not record, so records give at most 4.
- ``ppks_served_share`` (1.2): of the PPKS registered (submitted, not rejected) by that date, the
  share served or closed in the 12 months before it; percent bands <20, 20–39, 40–59, 60–79, ≥ 80.

The instrument decides per indicator whether this value or the respondents' mean is scored
(``Indicator.scored_from``); the other is shown beside it.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dimensions.models import Indicator
from ppks.models import Registration
from villages.models import SocialPillar

OFFICIAL_PSKS_TYPES = 12


@dataclass(frozen=True)
class RecordResult:
    value: Decimal | None
    description: str
    score: int | None


def percent_band(percent: Decimal) -> int:
    """1 = <20%; 2 = 20–39%; 3 = 40–59%; 4 = 60–79%; 5 = ≥80%."""
    for score, floor in ((5, 80), (4, 60), (3, 40), (2, 20)):
        if percent >= floor:
            return score
    return 1


def psks_active_types(*, village_code: str, as_of: datetime.date) -> RecordResult:
    kinds = set(SocialPillar.objects.filter(village_id=village_code, active=True)
                .exclude(kind=SocialPillar.Kind.OTHER).values_list("kind", flat=True))
    count = len(kinds)
    score = 1 if count <= 1 else 2 if count <= 3 else 3 if count <= 5 else 4 if count <= 7 else 5
    return RecordResult(Decimal(count), _("{count} dari {total} jenis PSKS aktif tercatat di desa").format(
        count=count, total=OFFICIAL_PSKS_TYPES), score)


def _end_of(day: datetime.date) -> datetime.datetime:
    """The first moment after ``day`` in the local time zone (dates are Indonesian calendar dates)."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def ppks_freshness(*, village_code: str, as_of: datetime.date) -> RecordResult:
    until = _end_of(as_of)
    latest = Registration.objects.filter(village_id=village_code).aggregate(
        submitted=Max("submitted_at", filter=Q(submitted_at__lt=until)),
        verified=Max("verified_at", filter=Q(verified_at__lt=until)),
    )
    moments = [moment for moment in latest.values() if moment is not None]
    if not moments:
        return RecordResult(None, _("Belum ada PPKS yang diajukan di desa ini"), 1)
    last = timezone.localtime(max(moments)).date()
    months = Decimal((as_of - last).days) / Decimal("30.44")
    months = months.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    score = 2 if months > 24 else 3 if months > 12 else 4
    return RecordResult(months, _("Daftar PPKS terakhir diperbarui {date} ({months} bulan); usulan DTKS/DTSEN "
                                  "tidak tercatat di aplikasi").format(date=last.strftime("%d-%m-%Y"),
                                                                       months=str(months).replace(".", ",")),
                        score)


def ppks_served_share(*, village_code: str, as_of: datetime.date) -> RecordResult:
    until = _end_of(as_of)
    since = until - datetime.timedelta(days=365)
    registered = Registration.objects.filter(village_id=village_code, submitted_at__lt=until).exclude(
        status__in=[Registration.Status.DRAFT, Registration.Status.REJECTED])
    total = registered.count()
    if not total:
        return RecordResult(None, _("Belum ada PPKS terdaftar; tidak dapat dihitung dari catatan"), None)
    served = registered.filter(Q(served_at__gte=since, served_at__lt=until)
                               | Q(closed_at__gte=since, closed_at__lt=until)).count()
    percent = (Decimal(served) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return RecordResult(percent, _("{served} dari {total} PPKS terdaftar dilayani atau rujukannya tuntas dalam "
                                   "12 bulan terakhir ({percent}%)").format(
        served=served, total=total, percent=str(percent).replace(".", ",")), percent_band(percent))


RULES = {
    Indicator.RecordRule.PSKS_ACTIVE_TYPES: psks_active_types,
    Indicator.RecordRule.PPKS_FRESHNESS: ppks_freshness,
    Indicator.RecordRule.PPKS_SERVED_SHARE: ppks_served_share,
}


def record_value(indicator: Indicator, *, village_code: str, as_of: datetime.date) -> RecordResult | None:
    """The record value of an administrative indicator, or None when the indicator has no record rule."""
    rule = RULES.get(indicator.record_rule)
    return rule(village_code=village_code, as_of=as_of) if rule else None
