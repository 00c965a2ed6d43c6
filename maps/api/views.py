"""Map data for the interactive map and for API clients: GeoJSON per region and measure, chart figures."""

import json

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from maps.analysis import CHART_KEYS, analysis
from maps.api.serializers import ChartSerializer, MapSerializer, MeasureSerializer
from maps.measures import DEFAULT_MEASURE, measures
from maps.selectors import checked_region, default_chart_region, default_region, geojson, map_view
from villages import codes

NOT_FOUND = OpenApiResponse(
    response=inline_serializer("Kesalahan", fields={"detail": serializers.CharField()}),
    description="Wilayah atau grafik tidak ada, atau di luar jangkauan Anda.")
REGION = OpenApiParameter("region", str, description="Kode provinsi, kab/kota atau kecamatan (kosong: Indonesia; "
                                                      "tanpa parameter: wilayah awal pengguna)")


def _region(request, default=default_region) -> str:
    if "region" not in request.query_params:
        return checked_region(request.user, default(request.user))
    code = request.query_params.get("region", "").strip()
    if code and codes.region_level(code) not in {codes.PROVINCE, codes.REGENCY, codes.DISTRICT}:
        raise serializers.ValidationError({"region": [_("Kode wilayah harus provinsi, kab/kota atau kecamatan.")]})
    return checked_region(request.user, code)


class MapApi(APIView):
    """The map of a region for one measure: its children's shapes (village points for a kecamatan) as GeoJSON.

    Regions outside the caller's area come without code, name or figure. Figures are those of the
    last refresh (``refreshed_at``).
    """

    @extend_schema(
        parameters=[REGION, OpenApiParameter("measure", str, description="Kunci ukuran (lihat maps/measures/); "
                                                                         "bawaan: registered")],
        responses={200: MapSerializer, 404: NOT_FOUND},
    )
    def get(self, request):
        region = _region(request)
        measure_list = measures()
        key = request.query_params.get("measure") or DEFAULT_MEASURE
        try:
            view = map_view(user=request.user, region_code=region, measure_key=key, measure_list=measure_list)
        except KeyError:
            raise serializers.ValidationError({"measure": [_("Ukuran tidak dikenal.")]}) from None
        text = geojson(view)
        if getattr(request.accepted_renderer, "format", "") == "api":  # the browsable API (HTML)
            return Response(json.loads(text))
        response = HttpResponse(text, content_type="application/json")  # geometry copied as stored, not re-parsed
        response["Cache-Control"] = "private, max-age=60"
        return response


class MeasureListApi(APIView):
    """The measures a map can show, in the order of the page's picker."""

    @extend_schema(responses=MeasureSerializer(many=True))
    def get(self, request):
        return Response([{"key": measure.key, "label": str(measure.label), "group": str(measure.group),
                          "kind": measure.kind} for measure in measures()])


class ChartApi(APIView):
    """The figures of one analysis chart of a region (the table under the chart on the page).

    For a region above the caller's area (which they may browse) ``covers`` is false and there are no rows.
    """

    @extend_schema(parameters=[REGION, OpenApiParameter("chart", str, required=True, enum=list(CHART_KEYS),
                                                        description="Grafik yang diminta")],
                   responses={200: ChartSerializer, 404: NOT_FOUND})
    def get(self, request):
        chart = request.query_params.get("chart", "")
        if chart not in CHART_KEYS:
            raise serializers.ValidationError({"chart": [_("Grafik tidak dikenal; pilih salah satu: {keys}.").format(
                keys=", ".join(CHART_KEYS))]})
        region = _region(request, default_chart_region)
        result = analysis(user=request.user, region_code=region)
        found = next((item for item in result.charts if item.key == chart), None)
        return Response({
            "region": {"code": region, "name": result.region_name, "level": result.level},
            "covers": result.covers, "key": chart,
            "title": str(found.title) if found else "", "description": str(found.description) if found else "",
            "columns": [str(column) for column in found.columns] if found else [],
            "rows": found.rows if found else [], "refreshed_at": result.refreshed_at,
        })
