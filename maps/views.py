"""Map and analysis pages (thin: the figures come from ``maps.selectors`` and ``maps.analysis``)."""

import csv
import io

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.services import audit_record
from maps import svg
from maps.analysis import CHART_KEYS, analysis
from maps.geodata import SOURCE_LICENCE, SOURCE_NAME, SOURCE_URL
from maps.measures import DEFAULT_MEASURE, measure_get, measures
from maps.selectors import breadcrumbs, checked_region, default_chart_region, default_region, map_view


def _region(request, default=default_region) -> str:
    if "region" in request.GET:
        return checked_region(request.user, request.GET["region"])
    return checked_region(request.user, default(request.user))


def _measure_groups(measure_list) -> list[tuple[str, list]]:
    groups: list[tuple[str, list]] = []
    for measure in measure_list:
        if not groups or groups[-1][0] != str(measure.group):
            groups.append((str(measure.group), []))
        groups[-1][1].append(measure)
    return groups


def _trail(code: str, url_name: str, **params) -> list[dict]:
    return [{"code": ancestor, "name": name,
             "url": "{}?{}".format(reverse(url_name), urlencode({"region": ancestor, **params}))}
            for ancestor, name in breadcrumbs(code)]


def source_credit() -> dict[str, str]:
    return {"name": SOURCE_NAME, "url": SOURCE_URL, "licence": SOURCE_LICENCE}


@login_required
@require_GET
def map_page(request):
    """A choropleth of the region's children (village points for a kecamatan), server SVG plus Leaflet."""
    region = _region(request)
    measure_list = measures()
    key = request.GET.get("measure") or DEFAULT_MEASURE
    unknown = measure_get(key, measure_list) is None
    if unknown:
        key = DEFAULT_MEASURE
    view = map_view(user=request.user, region_code=region, measure_key=key, measure_list=measure_list)
    query = urlencode({"region": region, "measure": key})
    frame = svg.view_frame(view)
    return render(request, "maps/map.html", {
        "view": view,
        "svg": svg.render(view),
        "aspect": "{:.3f}".format(frame.width / frame.height) if frame else "",
        "unknown_measure": unknown,
        "measure_groups": _measure_groups(measure_list),
        "trail": _trail(region, "maps:map", measure=key),
        "geojson_url": "{}?{}".format(reverse("api:map"), query),
        "csv_url": "{}?{}".format(reverse("maps:map-csv"), query),
        "charts_url": "{}?{}".format(reverse("maps:charts"), urlencode({
            "region": region if view.covers_region else default_chart_region(request.user)})),
        "tile_url": settings.SIDBS_MAP_TILE_URL,
        "tile_attribution": settings.SIDBS_MAP_TILE_ATTRIBUTION,
        "source": source_credit(),
    })


def _csv_response(filename: str, header: list[str], rows: list[list]) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([["" if value is None else value for value in row] for row in rows])
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="{}"'.format(filename)
    return response


@login_required
@require_GET
def map_csv(request):
    """The figures of the map as CSV (regions inside the user's scope only), audited."""
    region = _region(request)
    key = request.GET.get("measure") or DEFAULT_MEASURE
    if measure_get(key) is None:
        raise Http404
    view = map_view(user=request.user, region_code=region, measure_key=key)
    rows = [[row.code, row.name, row.value] for row in view.rows]
    if view.covers_region:
        rows.append([region, view.region_name, view.total])
    audit_record(actor=request.user, action="maps.export", request=request,
                 detail={"region": region, "measure": key, "rows": len(rows)})
    return _csv_response("peta-{}-{}.csv".format(region or "indonesia", key),
                         [_("Kode wilayah"), _("Nama wilayah"), str(view.measure.label)], rows)


@login_required
@require_GET
def charts_page(request):
    """Trend and breakdown charts of a region, each with its table and a CSV of its figures."""
    region = _region(request, default_chart_region)
    result = analysis(user=request.user, region_code=region)
    return render(request, "maps/charts.html", {
        "analysis": result,
        "trail": _trail(region, "maps:charts"),
        "map_url": "{}?{}".format(reverse("maps:map"), urlencode({"region": region})),
        "source": source_credit(),
    })


@login_required
@require_GET
def chart_csv(request, chart: str):
    if chart not in CHART_KEYS:
        raise Http404
    region = _region(request, default_chart_region)
    result = analysis(user=request.user, region_code=region)
    found = next((item for item in result.charts if item.key == chart), None)
    if found is None:
        raise Http404
    audit_record(actor=request.user, action="maps.export", request=request,
                 detail={"region": region, "chart": chart, "rows": len(found.rows)})
    return _csv_response("grafik-{}-{}.csv".format(chart, region or "indonesia"), [str(column) for column in
                                                                                    found.columns], found.rows)
