from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.scoping import visible_to
from actionplans import services
from actionplans.api.serializers import (
    ActionPlanSerializer,
    AssetSerializer,
    DecisionSerializer,
    MonitoringVisitSerializer,
    ProgrammeStageSerializer,
    StageChangeCreateSerializer,
    StageChangeRequestSerializer,
    StimulusTrancheSerializer,
    TrancheCorrectionSerializer,
    TrancheReceiptSerializer,
    VoidReasonSerializer,
)
from actionplans.models import Asset, MonitoringVisit, ProgrammeStage, StageChangeRequest, StimulusTranche
from actionplans.selectors import ActionPlanFilterSet, plan_base
from ppks.api.views import as_drf_error


def _service(call):
    """Run a service, turning its Indonesian ValidationError into a 400 answer."""
    try:
        return call()
    except DjangoValidationError as error:
        raise as_drf_error(error) from error


class ActionPlanViewSet(viewsets.ReadOnlyModelViewSet):
    """Action plans with their activities, in the caller's region."""

    serializer_class = ActionPlanSerializer
    filterset_class = ActionPlanFilterSet

    def get_queryset(self):
        return plan_base(self.request.user).prefetch_related("activities__dimension", "activities__indicators")


class ProgrammeStageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                            viewsets.GenericViewSet):
    """Programme stages per lokus and year with their honest state; PATCH records dates.

    Once the year's plan is approved, planned dates change only through ``change-request`` (decided by
    Dinas Sosial); the transfer-stimulan stage's actual dates follow its tranches.
    """

    serializer_class = ProgrammeStageSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["year", "stage"]

    def get_queryset(self):
        return visible_to(self.request.user, ProgrammeStage.objects.select_related("village")).order_by(
            "village", "year", "order")

    def perform_update(self, serializer):
        serializer.instance = _service(lambda: services.stage_update(
            stage=serializer.instance, actor=self.request.user, data=serializer.validated_data))

    @extend_schema(request=StageChangeCreateSerializer, responses=StageChangeRequestSerializer)
    @action(detail=True, methods=["post"], url_path="change-request", url_name="change-request")
    def change_request(self, request, pk=None):
        stage = self.get_object()
        if not services.can_plan(request.user):
            raise PermissionDenied
        serializer = StageChangeCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        change = _service(lambda: services.stage_change_request(stage=stage, actor=request.user,
                                                                **serializer.validated_data))
        return Response(StageChangeRequestSerializer(change).data, status=status.HTTP_201_CREATED)


class StageChangeRequestViewSet(viewsets.ReadOnlyModelViewSet):
    """Schedule change requests in the caller's region; Dinas Sosial approves or rejects pending ones."""

    serializer_class = StageChangeRequestSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        return visible_to(self.request.user, StageChangeRequest.objects.select_related(
            "stage", "requested_by", "decided_by")).order_by("-requested_at", "-pk")

    def _decide(self, request, approve: bool):
        change = self.get_object()
        if not services.can_approve(request.user):
            raise PermissionDenied
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        change = _service(lambda: services.stage_change_decide(change=change, actor=request.user, approve=approve,
                                                               note=serializer.validated_data["note"]))
        return Response(StageChangeRequestSerializer(change).data)

    @extend_schema(request=DecisionSerializer, responses=StageChangeRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, True)

    @extend_schema(request=DecisionSerializer, responses=StageChangeRequestSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, False)


class StimulusTrancheViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                             viewsets.GenericViewSet):
    """Stimulus tranches: POST plans one; ``receive``, ``correct`` and ``void`` record what happened to it."""

    serializer_class = StimulusTrancheSerializer
    filterset_fields = ["year"]

    def get_queryset(self):
        return visible_to(self.request.user, StimulusTranche.objects.select_related("village")).order_by(
            "village", "year", "number")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = _service(lambda: services.tranche_plan(
            village=data["village"], year=data["year"], actor=self.request.user, number=data["number"],
            planned_amount=data["planned_amount"], planned_date=data["planned_date"]))

    def _step(self, request, serializer_class, step):
        tranche = self.get_object()
        if not services.can_approve(request.user):
            raise PermissionDenied
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        tranche = _service(lambda: step(tranche, serializer.validated_data))
        return Response(StimulusTrancheSerializer(tranche, context={"request": request}).data)

    @extend_schema(request=TrancheReceiptSerializer, responses=StimulusTrancheSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        return self._step(request, TrancheReceiptSerializer, lambda tranche, data: services.tranche_receive(
            tranche=tranche, actor=request.user, **data))

    @extend_schema(request=TrancheCorrectionSerializer, responses=StimulusTrancheSerializer)
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        return self._step(request, TrancheCorrectionSerializer, lambda tranche, data: services.tranche_correct(
            tranche=tranche, actor=request.user, **data))

    @extend_schema(request=VoidReasonSerializer, responses=StimulusTrancheSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        return self._step(request, VoidReasonSerializer, lambda tranche, data: services.tranche_void(
            tranche=tranche, actor=request.user, reason=data["reason"]))


class AssetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                   mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """The villages' ABCD assets; never deleted (mark ``active: false`` when an asset is gone)."""

    serializer_class = AssetSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["kind", "leaky_bucket", "low_hanging_fruit", "active"]

    def get_queryset(self):
        return visible_to(self.request.user, Asset.objects.select_related("village")).order_by("village", "kind",
                                                                                               "name")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        village = data.pop("village")
        serializer.instance = _service(lambda: services.asset_save(village=village, actor=self.request.user,
                                                                   data=data))

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("village", None)
        asset = serializer.instance
        serializer.instance = _service(lambda: services.asset_save(village=asset.village, actor=self.request.user,
                                                                   data=data, asset=asset))


class MonitoringVisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                             viewsets.GenericViewSet):
    serializer_class = MonitoringVisitSerializer

    def get_queryset(self):
        return visible_to(self.request.user, MonitoringVisit.objects.select_related("village", "visitor"))

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = _service(lambda: services.monitoring_record(
            village=data["village"], actor=self.request.user, visited_on=data["visited_on"],
            findings=data["findings"], follow_ups=data.get("follow_ups", ""),
        ))
