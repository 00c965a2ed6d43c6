from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from dimensions.models import Assessment, Band, DimensionScore, RecordValue, Respondent
from villages.api.fields import VillageCodeField


class DimensionScoreSerializer(serializers.ModelSerializer):
    dimension = serializers.CharField(source="dimension.code")
    name = serializers.CharField(source="dimension.name")

    class Meta:
        model = DimensionScore
        fields = ["dimension", "name", "score", "is_weak_point", "indicator_means"]


class RecordValueSerializer(serializers.ModelSerializer):
    """An administrative indicator computed from the app's records at submission, beside the respondents' mean."""

    indicator = serializers.CharField(source="indicator.code")

    class Meta:
        model = RecordValue
        fields = ["indicator", "value", "description", "score", "respondents_mean", "as_of", "used_for_score"]


class AssessmentSerializer(serializers.ModelSerializer):
    village = serializers.SlugRelatedField(slug_field="code", read_only=True)
    instrument = serializers.SlugRelatedField(slug_field="code", read_only=True)
    weakest_dimension = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    band = serializers.ChoiceField(choices=Band.choices, allow_blank=True, read_only=True,
                                   help_text=_("Kosong sampai asesmen dinilai."))
    scores = DimensionScoreSerializer(many=True, read_only=True)
    record_values = RecordValueSerializer(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = ["id", "village", "instrument", "year", "period_label", "phase", "status", "client_uuid",
                  "submitted_at", "validated_at", "return_reason", "overall_index", "band", "weakest_dimension",
                  "scores", "record_values"]
        read_only_fields = fields


class RespondentAnswersSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    institution = serializers.CharField(max_length=150)
    position = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    sex = serializers.ChoiceField(choices=Respondent.Sex.choices, required=False, allow_blank=True, default="")
    answers = serializers.DictField(child=serializers.IntegerField(), allow_empty=True)


class AssessmentSubmitSerializer(serializers.Serializer):
    """An assessment collected offline, sent (and safely resent) with the client's UUID."""

    client_uuid = serializers.UUIDField()
    village = VillageCodeField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    phase = serializers.ChoiceField(choices=Assessment.Phase.choices)
    period_label = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    respondents = RespondentAnswersSerializer(many=True, allow_empty=False,
                                              error_messages={"empty": _("Minimal satu responden.")})
    submit = serializers.BooleanField(default=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")
