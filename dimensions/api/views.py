from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from dimensions import services
from dimensions.api.serializers import AssessmentSerializer, AssessmentSubmitSerializer, ReasonSerializer
from dimensions.filters import AssessmentFilterSet
from dimensions.selectors import assessment_base
from ppks.api.views import as_drf_error


class AssessmentCursorPagination(CursorPagination):
    ordering = "-id"
    page_size = 50


class AssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Village assessments and their scores in the caller's region.

    POST creates an assessment with its respondents and answers in one call; the client's UUID
    makes a resend (weak network) return the assessment created the first time (200) instead
    of a second one. Workflow steps are POST actions.
    """

    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilterSet
    pagination_class = AssessmentCursorPagination

    def get_queryset(self):
        return assessment_base(self.request.user).prefetch_related("scores__dimension", "record_values__indicator")

    @extend_schema(request=AssessmentSubmitSerializer, responses={201: AssessmentSerializer, 200: AssessmentSerializer})
    def create(self, request):
        serializer = AssessmentSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        replay = self._replay(data["client_uuid"])
        if replay is not None:
            return Response(AssessmentSerializer(replay).data, status=status.HTTP_200_OK)
        try:
            with transaction.atomic():
                assessment = services.assessment_create(
                    actor=request.user, village=data["village"], year=data["year"], phase=data["phase"],
                    period_label=data["period_label"], client_uuid=data["client_uuid"],
                )
                services.answers_replace(assessment=assessment, actor=request.user, rows=data["respondents"])
                if data["submit"]:
                    assessment = services.assessment_submit(assessment=assessment, actor=request.user)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        except IntegrityError:
            # The same UUID sent twice at once: the other request created it first.
            replay = self._replay(data["client_uuid"])
            if replay is None:
                raise
            return Response(AssessmentSerializer(replay).data, status=status.HTTP_200_OK)
        assessment = self.get_queryset().get(pk=assessment.pk)
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)

    def _replay(self, client_uuid):
        """The caller's assessment already created with ``client_uuid``, if any."""
        return self.get_queryset().filter(client_uuid=client_uuid, assessor=self.request.user).first()

    def _step(self, request, step):
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            step(self.get_object(), serializer.validated_data["reason"])
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        return Response(AssessmentSerializer(self.get_queryset().get(pk=self.kwargs["pk"])).data)

    @extend_schema(request=None, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._step(request, lambda assessment, reason: services.assessment_submit(
            assessment=assessment, actor=request.user))

    @extend_schema(request=None, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def validate(self, request, pk=None):
        return self._step(request, lambda assessment, reason: services.assessment_validate(
            assessment=assessment, actor=request.user))

    @extend_schema(request=ReasonSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request, pk=None):
        return self._step(request, lambda assessment, reason: services.assessment_return(
            assessment=assessment, actor=request.user, reason=reason))
