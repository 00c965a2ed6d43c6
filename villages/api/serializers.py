from rest_framework import serializers

from villages import codes
from villages.models import SocialPillar, Village, VillageProfile


class RegionSerializer(serializers.Serializer):
    """A region of any level, as listed under its parent."""

    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.SerializerMethodField()
    active = serializers.BooleanField()
    child_count = serializers.IntegerField()
    village_count = serializers.IntegerField()

    def get_level(self, obj) -> str:
        return {1: "provinsi", 2: "kabupaten_kota", 3: "kecamatan", 4: "desa"}[codes.region_level(obj["code"])]


class VillageSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)
    district = serializers.CharField(source="district.name", read_only=True)
    regency = serializers.CharField(source="district.regency.name", read_only=True)
    province = serializers.CharField(source="district.regency.province.name", read_only=True)
    stage = serializers.SerializerMethodField()

    class Meta:
        model = Village
        fields = ["code", "name", "kind", "active", "district", "regency", "province", "stage"]

    def get_stage(self, obj) -> str | None:
        profile = getattr(obj, "profile", None)
        return profile.stage if profile else None


class VillageProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = VillageProfile
        fields = ["stage", "pilot_cohort", "notes", "updated_at"]


class SocialPillarSerializer(serializers.ModelSerializer):
    class Meta:
        model = SocialPillar
        fields = ["id", "kind", "name", "contact_person", "phone", "email", "active"]


class VillageDetailSerializer(VillageSerializer):
    profile = VillageProfileSerializer(read_only=True, allow_null=True)
    lokus_years = serializers.SlugRelatedField(slug_field="year", many=True, read_only=True)
    social_pillars = SocialPillarSerializer(many=True, read_only=True)

    class Meta(VillageSerializer.Meta):
        fields = [*VillageSerializer.Meta.fields, "profile", "lokus_years", "social_pillars"]


