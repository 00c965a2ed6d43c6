"""Documentation of the map API's answers (the views build their JSON directly)."""

from rest_framework import serializers


class MeasureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    group = serializers.CharField()
    kind = serializers.ChoiceField(choices=["count", "rate", "share", "index", "band"])


class MapRegionSerializer(serializers.Serializer):
    code = serializers.CharField(allow_blank=True)
    name = serializers.CharField()
    level = serializers.IntegerField()


class LegendSerializer(serializers.Serializer):
    colour = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class MapFeatureSerializer(serializers.Serializer):
    type = serializers.CharField()
    properties = serializers.DictField(help_text="kind (area/point), in_scope; di dalam wilayah kerja juga code, "
                                                 "name, value, text, colour, url")
    geometry = serializers.DictField(help_text="GeoJSON Polygon/MultiPolygon/Point (WGS84, [bujur, lintang])")


class MapSerializer(serializers.Serializer):
    """A GeoJSON FeatureCollection with the legend and the region as foreign members."""

    type = serializers.CharField()
    region = MapRegionSerializer()
    measure = serializers.DictField()
    unit = serializers.CharField()
    total = serializers.JSONField(allow_null=True)
    total_text = serializers.CharField(allow_blank=True)
    legend = LegendSerializer(many=True)
    point_legend = LegendSerializer(many=True)
    refreshed_at = serializers.DateTimeField(allow_null=True)
    features = MapFeatureSerializer(many=True)


class ChartSerializer(serializers.Serializer):
    region = MapRegionSerializer()
    covers = serializers.BooleanField(help_text="Wilayah di dalam wilayah kerja pemanggil (jika tidak: tanpa baris)")
    key = serializers.CharField()
    title = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.JSONField(allow_null=True)))
    refreshed_at = serializers.DateTimeField(allow_null=True)
