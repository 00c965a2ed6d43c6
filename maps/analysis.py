"""The analysis charts of a region: their figures (from ``RegionFigures``), tables, CSV rows and SVG.

Each chart is a ``Chart``: a title, the SVG, and the same figures as a table (``columns`` and
``rows`` of raw values, ``texts`` formatted in Indonesian) that the page shows under the chart
and the CSV download writes. A region's charts are shown only when the user's scope covers it.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F
from django.utils import dateformat, timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from accounts.scoping import scope_of
from dimensions.charts import grouped_bars
from dimensions.models import Band
from maps import charts
from maps.measures import BAND_COLOURS, band_thresholds, format_number
from maps.models import RegionFigures
from maps.selectors import LEVEL_NAMES, children_names, region_name, village_figures
from maps.services import DISTRICT, registration_series
from ppks.models import Category, Directorate, Registration
from villages import codes
from villages.models import Village

CHART_KEYS = ("status-bulanan", "direktorat-bulanan", "waktu-tanggap", "kategori", "distribusi-indeks", "angkatan")
MONTHS_SHOWN = 24


@dataclass
class Chart:
    key: str
    title: str
    description: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    texts: list[list[str]] = field(default_factory=list)
    svg: SafeString | str = ""
    empty: str = ""
    detail_from: int = 0  # columns from here on break the figures down by sub-region (left out in print)


@dataclass
class Analysis:
    region_code: str
    region_name: str
    level: int
    covers: bool
    charts: list[Chart] = field(default_factory=list)
    children: list[tuple[str, str]] = field(default_factory=list)  # sub-regions whose charts can be opened
    refreshed_at: datetime.datetime | None = None


def _region_figures(region_code: str, level: int) -> tuple[dict, dict[str, dict], dict[str, str]]:
    """(the region's figures, {child code: figures}, {child code: name}).

    Monthly series and answer times are kept from kab/kota upwards; a kecamatan's series and the
    answer times of a kab/kota's kecamatan or a kecamatan's villages are counted live from that
    one region's registrations (by index on the village).
    """
    own = RegionFigures.objects.filter(code=region_code).values_list("figures", flat=True).first() or {}
    if level == codes.DISTRICT:
        villages = list(Village.objects.filter(district_id=region_code).values_list("code", flat=True))
        live = registration_series(Registration.objects.filter(village_id__in=villages), group=DISTRICT)
        own = {**own, **live.get(region_code, {})}
        children = village_figures(region_code)
        per_village = registration_series(Registration.objects.filter(village_id__in=villages), group=F("village_id"),
                                          answers_only=True)
        for code, figures in children.items():
            figures.update(per_village.get(code, {}))
        names = dict(Village.objects.filter(district_id=region_code, active=True).values_list("code", "name"))
        return own, {code: children[code] for code in names if code in children}, names
    child_level = level + 1
    names = children_names(child_level, region_code)
    queryset = RegionFigures.objects.filter(level=child_level)
    if region_code:
        queryset = queryset.filter(code__startswith=region_code + ".")
    children = dict(queryset.values_list("code", "figures"))
    if level == codes.REGENCY:
        villages = list(Village.objects.filter(district__regency_id=region_code).values_list("code", flat=True))
        for code, series in registration_series(Registration.objects.filter(village_id__in=villages),
                                                group=DISTRICT, answers_only=True).items():
            children.setdefault(code, {}).update(series)
    return own, children, names


def analysis(*, user, region_code: str) -> Analysis:
    """The six charts of ``region_code`` (already checked with ``maps.selectors.checked_region``)."""
    from maps.selectors import figures_refreshed_at

    scope = scope_of(user)
    level = codes.region_level(region_code) if region_code else 0
    covers = scope.national if not region_code else scope.covers(region_code)
    result = Analysis(region_code=region_code, region_name=region_name(region_code), level=level, covers=covers,
                      refreshed_at=figures_refreshed_at())
    if not covers:
        return result
    own, children, names = _region_figures(region_code, level)
    if level < codes.DISTRICT:
        result.children = sorted(names.items(), key=lambda item: item[1])
    child_label = str(LEVEL_NAMES[level + 1]).capitalize()
    result.charts = [
        status_chart(own), directorate_chart(own), response_chart(own, children, names, child_label),
        category_chart(own, children, names), index_chart(own), cohort_chart(own),
    ]
    return result


def _months(*series: dict) -> list[str]:
    """The last ``MONTHS_SHOWN`` months up to this month, from the first month with data."""
    present = sorted({month for item in series for month in item})
    if not present:
        return []
    today = timezone.localdate()
    end = today.year * 12 + today.month - 1
    start = max(int(present[0][:4]) * 12 + int(present[0][5:7]) - 1, end - MONTHS_SHOWN + 1)
    last = max(end, int(present[-1][:4]) * 12 + int(present[-1][5:7]) - 1)
    return ["{:04d}-{:02d}".format(index // 12, index % 12 + 1) for index in range(start, last + 1)][-MONTHS_SHOWN:]


def _month_label(key: str, pattern: str = "M y") -> str:
    return dateformat.format(datetime.date(int(key[:4]), int(key[5:7]), 1), pattern)


def status_chart(figures: dict) -> Chart:
    monthly = figures.get("monthly", {})
    months = _months(monthly)
    keys = (("submitted", _("Diajukan")), ("verified", _("Diverifikasi")), ("referred", _("Dirujuk")),
            ("served", _("Dilayani (jawaban rujukan)")))
    chart = Chart("status-bulanan", _("Registrasi per bulan menurut status"),
                  _("Jumlah registrasi yang diajukan, diverifikasi, dirujuk dan dilayani pada bulan itu."),
                  [_("Bulan")] + [label for _key, label in keys],
                  empty=_("Belum ada registrasi yang diajukan di wilayah ini."))
    series = [(label, [monthly.get(month, {}).get(key, 0) for month in months]) for key, label in keys]
    for index, month in enumerate(months):
        values = [values[index] for _label, values in series]
        chart.rows.append([month, *values])
        chart.texts.append([_month_label(month, "F Y"), *(format_number(value) for value in values)])
    if months:
        chart.svg = charts.line_chart(labels=[_month_label(month) for month in months], series=series,
                                      label=chart.title)
    return chart


def _directorate_names() -> list[tuple[str, str]]:
    return [*Directorate.objects.order_by("code").values_list("code", "name"), ("", _("Belum ditentukan"))]


def directorate_chart(figures: dict) -> Chart:
    monthly = figures.get("monthly_directorate", {})
    months = _months(monthly)
    directorates = _directorate_names()
    chart = Chart("direktorat-bulanan", _("Registrasi diajukan per bulan menurut direktorat tujuan"),
                  _("Registrasi menurut bulan diajukan ke Dinas Sosial dan direktorat yang akan menanganinya."),
                  [_("Bulan")] + [name for _code, name in directorates],
                  empty=_("Belum ada registrasi yang diajukan di wilayah ini."))
    series = [(name, [monthly.get(month, {}).get(code, 0) for month in months]) for code, name in directorates]
    series = [item for item in series if any(item[1])] or series
    for month in months:
        values = [monthly.get(month, {}).get(code, 0) for code, _name in directorates]
        chart.rows.append([month, *values])
        chart.texts.append([_month_label(month, "F Y"), *(format_number(value) for value in values)])
    if months:
        chart.svg = charts.stacked_columns(labels=[_month_label(month) for month in months],
                                           series=[(name.replace("Ditjen ", ""), values) for name, values in series],
                                           label=chart.title)
    return chart


def response_figures(figures: dict, days_limit: int) -> dict:
    """Answered referrals, median days, share answered within ``days_limit``, and open referrals."""
    histogram = {int(days): count for days, count in figures.get("answer_days", {}).items()}
    answered = sum(histogram.values())
    median = None
    if answered:
        running, half = 0, (answered + 1) / 2
        for days in sorted(histogram):
            running += histogram[days]
            if running >= half:
                median = days
                break
    within = sum(count for days, count in histogram.items() if days <= days_limit)
    unanswered = figures.get("unanswered") or {}
    overdue = unanswered.get("overdue", 0)
    due = answered + overdue
    return {"answered": answered, "median": median, "within": within,
            "share": within * 100 / due if due else None, "open": unanswered.get("total", 0), "overdue": overdue}


def response_chart(own: dict, children: dict, names: dict, child_label: str) -> Chart:
    days_limit = settings.SIDBS_REFERRAL_ANSWER_DAYS
    total = response_figures(own, days_limit)
    description = _(
        "Waktu dari rujukan sampai dijawab (dilayani). Median {median} hari; {share} dijawab dalam {days} hari "
        "(dari rujukan yang sudah dijawab atau lewat {days} hari).").format(
        median=format_number(total["median"]) if total["median"] is not None else "–",
        share=format_number(total["share"], 1) + " %" if total["share"] is not None else "–", days=days_limit)
    chart = Chart("waktu-tanggap", _("Waktu tanggap rujukan"), description,
                  [child_label, _("Dijawab"), _("Median (hari)"),
                   _("Dijawab ≤ {days} hari (%)").format(days=days_limit), _("Belum dijawab"),
                   _("Belum dijawab > {days} hari").format(days=days_limit)],
                  empty=_("Belum ada rujukan di wilayah ini."))
    bars = []
    for code, name in [*names.items(), ("", _("Seluruh wilayah"))]:
        item = total if code == "" else response_figures(children.get(code, {}), days_limit)
        chart.rows.append([name, item["answered"], item["median"], None if item["share"] is None
                           else round(item["share"], 1), item["open"], item["overdue"]])
        chart.texts.append([name, format_number(item["answered"]),
                            format_number(item["median"]) if item["median"] is not None else "–",
                            format_number(item["share"], 1) if item["share"] is not None else "–",
                            format_number(item["open"]), format_number(item["overdue"])])
        if code and item["median"] is not None:
            bars.append((name, item["median"]))
    if not (total["answered"] or total["open"]):
        chart.rows, chart.texts = [], []
        return chart
    bars.sort(key=lambda bar: (-bar[1], bar[0]))
    if bars:
        chart.svg = charts.horizontal_bars(
            labels=[name for name, _value in bars[:30]], values=[value for _name, value in bars[:30]],
            label=_("Median hari sampai rujukan dijawab"), suffix=" " + _("hari"),
            reference=(days_limit, _("batas {days} hari").format(days=days_limit)))
    return chart


def category_chart(own: dict, children: dict, names: dict) -> Chart:
    counts = own.get("category", {})
    labels = {code: "{} ({})".format(_(name), code) for code, name in Category.objects.values_list("code", "name")}
    order = sorted(counts, key=lambda code: (-counts[code], code))
    child_codes = list(names)
    chart = Chart("kategori", _("PPKS tercatat menurut kategori"),
                  _("Kategori PPKS di wilayah ini (grafik) dan rinciannya per wilayah di bawahnya (tabel)."),
                  [_("Kategori"), _("Jumlah")] + [names[code] for code in child_codes],
                  empty=_("Belum ada PPKS tercatat di wilayah ini."), detail_from=2)
    for code in order:
        per_child = [(children.get(child, {}).get("category") or {}).get(code, 0) for child in child_codes]
        chart.rows.append([labels.get(code, code), counts[code], *per_child])
        chart.texts.append([labels.get(code, code), format_number(counts[code]), *map(format_number, per_child)])
    if order:
        chart.svg = charts.horizontal_bars(labels=[labels.get(code, code) for code in order],
                                           values=[counts[code] for code in order], label=chart.title)
    return chart


def index_chart(figures: dict) -> Chart:
    bins = figures.get("hist") or [0] * 10
    low, high = band_thresholds()
    colours = []
    for index in range(10):
        middle = index / 10 + 0.05
        colours.append(BAND_COLOURS["tinggi" if middle >= high else "sedang" if middle >= low else "rendah"])
    chart = Chart("distribusi-indeks", _("Sebaran indeks ketahanan sosial desa"),
                  _("Desa menurut indeks asesmen tervalidasi terakhir; warna menunjukkan kategori (rendah, sedang, "
                    "tinggi)."), [_("Indeks"), _("Desa")],
                  empty=_("Belum ada asesmen tervalidasi di wilayah ini."))
    for index, count in enumerate(bins):
        chart.rows.append([charts.bin_label(index), count])
        chart.texts.append([charts.bin_label(index), format_number(count)])
    if any(bins):
        chart.svg = charts.histogram(bins=bins, colours=colours, label=chart.title,
                                     legend=[(str(band.label), BAND_COLOURS[band]) for band in Band])
    else:
        chart.rows, chart.texts = [], []
    return chart


def cohort_chart(figures: dict) -> Chart:
    cohorts = figures.get("cohorts") or {}
    chart = Chart("angkatan", _("Perubahan indeks baseline → endline per angkatan"),
                  _("Angkatan: tahun angkatan percontohan desa (desa yang belum masuk angkatan: tahun pertama menjadi "
                    "lokus). Rata-rata indeks desa yang punya baseline dan endline tervalidasi."),
                  [_("Angkatan"), _("Desa lokus"), _("Desa dengan baseline dan endline"), _("Rata-rata baseline"),
                   _("Rata-rata endline"), _("Perubahan")],
                  empty=_("Belum ada desa lokus di wilayah ini."))
    groups, baselines, endlines = [], [], []
    for cohort in sorted(cohorts):
        item = cohorts[cohort]
        count = item.get("n", 0)
        baseline = item["baseline"] / count if count else None
        endline = item["endline"] / count if count else None
        change = endline - baseline if count else None
        chart.rows.append([cohort, item.get("villages", 0), count, _round(baseline), _round(endline), _round(change)])
        chart.texts.append([cohort, format_number(item.get("villages", 0)), format_number(count),
                            *(format_number(value, 2) if value is not None else "–"
                              for value in (baseline, endline, change))])
        if count:
            groups.append(cohort)
            baselines.append(baseline)
            endlines.append(endline)
    if groups:
        chart.svg = grouped_bars(groups=groups, series=[(_("Baseline"), baselines), (_("Endline"), endlines)])
    elif cohorts:
        chart.empty = _("Belum ada desa lokus dengan baseline dan endline tervalidasi di wilayah ini.")
    return chart


def _round(value):
    return None if value is None else round(value, 4)
