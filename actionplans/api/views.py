from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import mixins, viewsets

from accounts.scoping import visible_to
from actionplans import services
from actionplans.api.serializers import ActionPlanSerializer, MonitoringVisitSerializer, ProgrammeStageSerializer
from actionplans.models import MonitoringVisit, ProgrammeStage
from actionplans.selectors import ActionPlanFilterSet, plan_base
from ppks.api.views import as_drf_error


class ActionPlanViewSet(viewsets.ReadOnlyModelViewSet):
    """Action plans with their activities, in the caller's region."""

    serializer_class = ActionPlanSerializer
    filterset_class = ActionPlanFilterSet

    def get_queryset(self):
        return plan_base(self.request.user).prefetch_related("activities__dimension", "activities__indicators")


class ProgrammeStageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                            viewsets.GenericViewSet):
    """Programme stages per lokus and year; PATCH records planned or actual dates."""

    serializer_class = ProgrammeStageSerializer
    http_method_names = ["get", "patch", "head", "options"]
    filterset_fields = ["year", "stage"]

    def get_queryset(self):
        return visible_to(self.request.user, ProgrammeStage.objects.select_related("village")).order_by(
            "village", "year", "order")

    def perform_update(self, serializer):
        try:
            serializer.instance = services.stage_update(stage=serializer.instance, actor=self.request.user,
                                                        data=serializer.validated_data)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error


class MonitoringVisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                             viewsets.GenericViewSet):
    serializer_class = MonitoringVisitSerializer

    def get_queryset(self):
        return visible_to(self.request.user, MonitoringVisit.objects.select_related("village", "visitor"))

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = services.monitoring_record(
                village=data["village"], actor=self.request.user, visited_on=data["visited_on"],
                findings=data["findings"], follow_ups=data.get("follow_ups", ""),
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
