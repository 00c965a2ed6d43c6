from django.utils import timezone
from rest_framework import serializers

from actionplans.models import (
    ActionPlan,
    Activity,
    Asset,
    MonitoringVisit,
    ProgrammeStage,
    StageChangeRequest,
    StimulusTranche,
)
from actionplans.schedule import schedule
from villages.api.fields import VillageCodeField


class ActivitySerializer(serializers.ModelSerializer):
    dimension = serializers.CharField(source="dimension.code", read_only=True)
    indicators = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Activity
        fields = ["id", "dimension", "indicators", "title", "description", "target_group", "start_date", "end_date",
                  "budget", "fund_source", "responsible_person", "status", "progress", "source_asset"]
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
    """A stage with its honest state (``schedule``): the stimulus stage's actual dates follow its tranches."""

    village = serializers.SlugRelatedField(slug_field="code", read_only=True)
    state = serializers.SerializerMethodField(help_text="planned, ongoing, overdue, done_on_time, done_late, done")
    days_late = serializers.SerializerMethodField()
    at_risk = serializers.SerializerMethodField()
    effective_actual_start = serializers.SerializerMethodField()
    effective_actual_end = serializers.SerializerMethodField()

    class Meta:
        model = ProgrammeStage
        fields = ["id", "village", "year", "stage", "planned_start", "planned_end", "actual_start", "actual_end",
                  "notes", "state", "days_late", "at_risk", "effective_actual_start", "effective_actual_end"]
        read_only_fields = ["id", "village", "year", "stage", "state", "days_late", "at_risk",
                            "effective_actual_start", "effective_actual_end"]

    def _status(self, obj):
        cache = self.context.setdefault("_statuses", {})
        key = (obj.village_id, obj.year)
        if key not in cache:
            stages = ProgrammeStage.objects.filter(village_id=obj.village_id, year=obj.year)
            tranches = StimulusTranche.objects.filter(village_id=obj.village_id, year=obj.year)
            cache[key] = {status.stage.pk: status for status in schedule(stages, tranches, timezone.localdate())}
        return cache[key][obj.pk]

    def get_state(self, obj) -> str:
        return self._status(obj).state

    def get_days_late(self, obj) -> int:
        return self._status(obj).days_late

    def get_at_risk(self, obj) -> bool:
        return self._status(obj).at_risk

    def get_effective_actual_start(self, obj) -> str | None:
        value = self._status(obj).actual_start
        return value.isoformat() if value else None

    def get_effective_actual_end(self, obj) -> str | None:
        value = self._status(obj).actual_end
        return value.isoformat() if value else None


class StageChangeRequestSerializer(serializers.ModelSerializer):
    stage = serializers.PrimaryKeyRelatedField(read_only=True)
    village = serializers.CharField(source="stage.village_id", read_only=True)
    requested_by = serializers.StringRelatedField()
    decided_by = serializers.StringRelatedField()

    class Meta:
        model = StageChangeRequest
        fields = ["id", "stage", "village", "old_planned_start", "old_planned_end", "new_planned_start",
                  "new_planned_end", "reason", "status", "requested_by", "requested_at", "decided_by", "decided_at",
                  "decision_note"]
        read_only_fields = fields


class StageChangeCreateSerializer(serializers.Serializer):
    planned_start = serializers.DateField(required=False, allow_null=True, default=None)
    planned_end = serializers.DateField()
    reason = serializers.CharField(max_length=1000)


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class StimulusTrancheSerializer(serializers.ModelSerializer):
    village = VillageCodeField()
    state = serializers.CharField(read_only=True)

    class Meta:
        model = StimulusTranche
        fields = ["id", "village", "year", "number", "planned_amount", "planned_date", "state", "amount",
                  "received_on", "reference", "receipt_note", "voided_at", "void_reason"]
        read_only_fields = ["id", "state", "amount", "received_on", "reference", "receipt_note", "voided_at",
                            "void_reason"]
        validators = []  # the service answers a re-sent plan with the tranche planned the first time


class TrancheReceiptSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=0, min_value=1)
    received_on = serializers.DateField()
    reference = serializers.CharField(max_length=100)
    receipt_note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class TrancheCorrectionSerializer(TrancheReceiptSerializer):
    reason = serializers.CharField(max_length=1000)


class VoidReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class AssetSerializer(serializers.ModelSerializer):
    village = VillageCodeField()

    class Meta:
        model = Asset
        fields = ["id", "village", "kind", "name", "description", "owner", "contact", "location", "leaky_bucket",
                  "monthly_outflow", "low_hanging_fruit", "active", "recorded_at", "updated_at"]
        read_only_fields = ["id", "recorded_at", "updated_at"]


class MonitoringVisitSerializer(serializers.ModelSerializer):
    village = VillageCodeField()
    visitor = serializers.StringRelatedField()

    class Meta:
        model = MonitoringVisit
        fields = ["id", "village", "plan", "visited_on", "visitor", "findings", "follow_ups"]
        read_only_fields = ["id", "visitor", "plan"]
