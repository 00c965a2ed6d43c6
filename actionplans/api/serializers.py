from django.utils import timezone
from rest_framework import serializers

from actionplans.models import ActionPlan, Activity, MonitoringVisit, ProgrammeStage
from villages.api.fields import VillageCodeField


class ActivitySerializer(serializers.ModelSerializer):
    dimension = serializers.CharField(source="dimension.code", read_only=True)
    indicators = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Activity
        fields = ["id", "dimension", "indicators", "title", "description", "target_group", "start_date", "end_date",
                  "budget", "fund_source", "responsible_person", "status", "progress"]
        read_only_fields = fields


class ActionPlanSerializer(serializers.ModelSerializer):
    village = serializers.SlugRelatedField(slug_field="code", read_only=True)
    activities = ActivitySerializer(many=True, read_only=True)

    class Meta:
        model = ActionPlan
        fields = ["id", "village", "year", "assessment", "title", "status", "approved_at", "return_reason",
                  "activities"]
        read_only_fields = fields


class ProgrammeStageSerializer(serializers.ModelSerializer):
    village = serializers.SlugRelatedField(slug_field="code", read_only=True)
    is_late = serializers.SerializerMethodField()

    class Meta:
        model = ProgrammeStage
        fields = ["id", "village", "year", "stage", "planned_start", "planned_end", "actual_start", "actual_end",
                  "notes", "is_late"]
        read_only_fields = ["id", "village", "year", "stage", "is_late"]

    def get_is_late(self, obj) -> bool:
        return obj.is_late(timezone.localdate())


class MonitoringVisitSerializer(serializers.ModelSerializer):
    village = VillageCodeField()
    visitor = serializers.StringRelatedField()

    class Meta:
        model = MonitoringVisit
        fields = ["id", "village", "plan", "visited_on", "visitor", "findings", "follow_ups"]
        read_only_fields = ["id", "visitor", "plan"]
