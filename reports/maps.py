"""Map pages of the PDF reports: the server-side SVG map of a report's measure and region, as its own part.

``report_merge`` puts the page after the letter of national, provincial and kab/kota summaries
(``summary_map_pages``); the village profile ends with its kecamatan and the village highlighted
(``village_map_pages``). Each page is rendered by WeasyPrint from ``reports/pdf/map_page.html``
with the same inline SVG the map pages draw (maps.svg), so nothing is fetched while rendering.
"""

import base64
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from maps import svg
from maps.geodata import SOURCE_LICENCE, SOURCE_NAME
from maps.measures import Measure, format_number
from maps.selectors import LEVEL_NAMES, MapView, areas_view, figures_refreshed_at, village_map_view
from ppks.models import Directorate
from reports import rendering
from reports.models import ReportJob
from villages import codes
from villages.models import District, Province, Regency

# Width and height limit of the map in SVG units; the page scales it to the text width (182 mm).
MAP_WIDTH, MAP_MAX_HEIGHT = 1000, 900
TEMPLATE = "reports/pdf/map_page.html"


@dataclass
class MapPageTable:
    """Totals one level above the map's units (provinces on the national map), in two columns."""

    title: str
    columns: list[list[tuple[str, str]]]


def map_page_html_context(*, view: MapView, title: str, subtitle: str, note: str, table: MapPageTable | None,
                          generated_at) -> dict:
    """The template context; the map is an SVG ``data:`` image (WeasyPrint reads it faster than inline SVG)."""
    drawing = svg.render(view, width=MAP_WIDTH, max_height=MAP_MAX_HEIGHT, links=False)
    return {
        "title": title, "subtitle": subtitle, "note": note, "view": view, "table": table,
        "map_uri": "data:image/svg+xml;base64," + base64.b64encode(drawing.encode()).decode(),
        "source": "{} ({})".format(SOURCE_NAME, SOURCE_LICENCE), "generated_at": generated_at,
    }


def map_page_pdf(**context) -> bytes:
    return rendering.render_pdf(TEMPLATE, map_page_html_context(**context))


def _summary_counts(job: ReportJob) -> dict[str, int]:
    """{kecamatan code: registrations} of the report, from the summary stored when its rows were read."""
    summary = job.summary or {}
    return {code: district["total"] for (code, _name), district in zip(summary.get("districts", []),
                                                                        summary.get("by_district", []), strict=False)}


def _two_columns(rows: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    half = (len(rows) + 1) // 2
    return [rows[:half], rows[half:]]


def summary_map_pages(job: ReportJob) -> list[bytes]:
    """The map page of a referral summary for Indonesia, a province or a kab/kota (none for other reports).

    Indonesia is drawn as its 514 kab/kota with province borders, a province as its kecamatan with
    kab/kota borders, a kab/kota as its kecamatan; each unit coloured by the report's registrations.
    """
    if job.kind != ReportJob.Kind.REFERRAL_SUMMARY:
        return []
    region = job.region_code
    level = codes.region_level(region) if region else 0
    if level not in (0, codes.PROVINCE, codes.REGENCY):
        return []
    per_district = _summary_counts(job)
    unit_level = codes.REGENCY if level == 0 else codes.DISTRICT
    length = 5 if unit_level == codes.REGENCY else 8
    values: dict[str, int] = defaultdict(int)
    for district, total in per_district.items():
        values[district[:length]] += total
    names = _unit_names(unit_level, region)
    values = {code: values.get(code, 0) for code in names}
    directorate = Directorate.objects.filter(code=job.parameters.get("directorate")).first()
    label = "PPKS dirujuk ke {}".format(directorate.name if directorate else "direktorat")
    measure = Measure("report", label, "", lambda figures, population: None)
    view = areas_view(user=job.requested_by, region_code=region, unit_level=unit_level, measure=measure,
                      values=values, names=names, national=level == 0,
                      outline_level={0: codes.PROVINCE, codes.PROVINCE: codes.REGENCY}.get(level), links=False)
    if not view.areas:
        return []  # boundaries not loaded (manage.py load_map_data): the report goes without its map
    table = _totals_table(values, level)
    params = job.parameters
    period = "{} s.d. {}".format(params.get("period_from") or "awal", params.get("period_to") or "sekarang")
    subtitle = "{} per {}, periode {} · jumlah {} orang".format(
        label, LEVEL_NAMES[unit_level], period, format_number(sum(values.values())))
    note = ("Warna menurut jumlah PPKS dalam laporan ini (kelas kuantil; putih: tidak ada). Garis tebal: batas {}."
            .format(LEVEL_NAMES[level + 1]) if level < codes.REGENCY else
            "Warna menurut jumlah PPKS dalam laporan ini (kelas kuantil; putih: tidak ada).")
    return [map_page_pdf(view=view, title="Peta sebaran {}".format(view.region_name if region else "nasional"),
                         subtitle=subtitle, note=note, table=table, generated_at=timezone.localtime())]


def _unit_names(unit_level: int, region: str) -> dict[str, str]:
    model = Regency if unit_level == codes.REGENCY else District
    queryset = model.objects.filter(active=True)
    if region:
        queryset = queryset.filter(code__startswith=region + ".")
    return dict(queryset.order_by("code").values_list("code", "name"))


def _totals_table(values: dict[str, int], level: int) -> MapPageTable | None:
    """Totals per province (national map) or per kab/kota (province map); none for a kab/kota map."""
    if level >= codes.REGENCY:
        return None
    length, model, title = ((2, Province, "Jumlah per provinsi") if level == 0 else
                            (5, Regency, "Jumlah per kabupaten/kota"))
    totals: dict[str, int] = defaultdict(int)
    for code, value in values.items():
        totals[code[:length]] += value
    names = dict(model.objects.filter(code__in=list(totals)).values_list("code", "name"))
    rows = [(names.get(code, code), format_number(total)) for code, total in sorted(totals.items())]
    return MapPageTable(title=title, columns=_two_columns(rows))


def village_map_pages(job: ReportJob) -> list[bytes]:
    """The village profile's map: its kecamatan, the villages coloured by resilience band, the village marked."""
    if job.kind != ReportJob.Kind.VILLAGE_PROFILE:
        return []
    village_code = job.parameters["village"]
    view = village_map_view(user=job.requested_by, village_code=village_code)
    if not view.areas and not view.points:
        return []
    name = next((point.name for point in view.points if point.highlight), village_code)
    refreshed = figures_refreshed_at()
    subtitle = "Kecamatan {} · desa/kelurahan menurut kategori ketahanan sosial (asesmen tervalidasi terakhir)".format(
        view.region_name)
    note = "Titik besar bertanda nama: {}. Titik abu-abu: desa di luar wilayah kerja peminta.".format(name)
    if refreshed:
        note += " Angka peta per {}.".format(timezone.localtime(refreshed).strftime("%d-%m-%Y %H:%M"))
    return [map_page_pdf(view=view, title="Peta Kecamatan {}".format(view.region_name), subtitle=subtitle, note=note,
                         table=None, generated_at=timezone.localtime())]
