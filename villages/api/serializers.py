from rest_framework import serializers

from villages import codes
from villages.models import Cohort, ProgrammePhase, SocialPillar, Village, VillageProfile


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
    stage = serializers.ChoiceField(
        source="phase", choices=ProgrammePhase.choices, read_only=True, allow_null=True,
        help_text="Tahap DBS yang diturunkan dari catatan desa, atau koreksi Dinas Sosial bila ada "
                  "(lihat stage_is_override); kosong bila desa belum masuk program.")
    stage_is_override = serializers.SerializerMethodField()

    class Meta:
        model = Village
        fields = ["code", "name", "kind", "active", "district", "regency", "province", "stage", "stage_is_override"]

    def get_stage_is_override(self, obj) -> bool:
        return bool(getattr(obj, "phase_override", None))


class VillageProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = VillageProfile
        fields = ["notes", "updated_at"]


class CohortSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cohort
        fields = ["id", "name", "year", "region_code", "target_villages", "target_graduated"]


class SocialPillarSerializer(serializers.ModelSerializer):
    class Meta:
        model = SocialPillar
        fields = ["id", "kind", "name", "contact_person", "phone", "email", "active"]


class VillageDetailSerializer(VillageSerializer):
    stage_derived = serializers.ChoiceField(source="derived_phase", choices=ProgrammePhase.choices, read_only=True,
                                            allow_null=True, help_text="Tahap DBS menurut catatan desa saja.")
    profile = VillageProfileSerializer(read_only=True, allow_null=True)
    lokus_years = serializers.SlugRelatedField(slug_field="year", many=True, read_only=True)
    cohorts = CohortSerializer(many=True, read_only=True)
    social_pillars = SocialPillarSerializer(many=True, read_only=True)

    class Meta(VillageSerializer.Meta):
        fields = [*VillageSerializer.Meta.fields, "stage_derived", "profile", "lokus_years", "cohorts",
                  "social_pillars"]


