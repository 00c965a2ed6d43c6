import uuid

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from accounts.scoping import visible_to
from config.locks import lock_for_transaction
from ppks import referral_services, services
from ppks.api.serializers import (
    REGISTRATION_LIST_VALUES,
    CategorySerializer,
    NikRevealSerializer,
    NikSearchSerializer,
    PersonSerializer,
    ReferralAnswerSerializer,
    ReferralSerializer,
    RegistrationCreatedSerializer,
    RegistrationCreateSerializer,
    RegistrationDetailSerializer,
    RegistrationSerializer,
    RegistrationUpdateSerializer,
    TransitionSerializer,
    registration_list_data,
)
from ppks.filters import ReferralFilterSet, RegistrationFilterSet, filter_nik
from ppks.models import Person
from ppks.permissions import can_answer_referrals, role_of
from ppks.referral_selectors import referral_list
from ppks.selectors import categories_with_directorates, registration_base
from ppks.workflow import TRANSITIONS

IDEMPOTENCY_HEADER = "Idempotency-Key"


def as_drf_error(error: DjangoValidationError) -> ValidationError:
    if hasattr(error, "error_dict"):
        return ValidationError(error.message_dict)
    return ValidationError({"non_field_errors": error.messages})


class RegistrationCursorPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"


class RegistrationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """PPKS registrations in the caller's region; workflow steps are POST actions.

    PATCH corrects a draft or rejected registration; DELETE removes a never-submitted draft.
    """

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    permission_classes = [IsAuthenticated]
    filterset_class = RegistrationFilterSet
    pagination_class = RegistrationCursorPagination
    throttle_scope = None  # search sets its own ("nik_search")

    def get_queryset(self):
        if self.action in {"list", "search"}:  # rows from values(): see registration_list_data
            return registration_base(self.request.user, within=self.request.query_params.get("region", ""),
                                     lean=True)
        queryset = registration_base(self.request.user)
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("events__actor")
        return queryset

    def _list_response(self, queryset):
        page = self.paginate_queryset(queryset.values(*REGISTRATION_LIST_VALUES))
        return self.get_paginated_response(registration_list_data(page))

    def list(self, request, *args, **kwargs):
        return self._list_response(self.filter_queryset(self.get_queryset()))

    def get_serializer_class(self):
        if self.action == "retrieve":
            return RegistrationDetailSerializer
        if self.action == "create":
            return RegistrationCreateSerializer
        if self.action == "partial_update":
            return RegistrationUpdateSerializer
        return RegistrationSerializer

    @extend_schema(request=RegistrationUpdateSerializer, responses=RegistrationDetailSerializer)
    def partial_update(self, request, pk=None):
        serializer = RegistrationUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            registration = services.registration_update(
                registration=self.get_object(), actor=request.user, data=serializer.validated_data
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        return Response(RegistrationDetailSerializer(registration).data)

    def destroy(self, request, pk=None):
        try:
            services.registration_delete(registration=self.get_object(), actor=request.user)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER, str, OpenApiParameter.HEADER,
                description="UUID klien; kirim ulang dengan UUID yang sama tidak membuat data ganda.",
            )
        ],
        request=RegistrationCreateSerializer,
        responses={201: RegistrationCreatedSerializer, 200: RegistrationCreatedSerializer},
    )
    def create(self, request):
        client_uuid = self._idempotency_key(request)
        if client_uuid is not None:
            # Copies of this request sent at the same moment wait here for the first, then replay its result.
            lock_for_transaction("registration-create:{}".format(client_uuid))
            replay = registration_base(request.user).filter(client_uuid=client_uuid, created_by=request.user).first()
            if replay is not None:
                return Response(RegistrationCreatedSerializer(replay).data, status=status.HTTP_200_OK)
        serializer = RegistrationCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            if data.get("person_id"):
                person = visible_to(request.user, Person.objects.all()).filter(pk=data["person_id"]).first()
                if person is None:
                    raise ValidationError({"person_id": [_("Orang tidak ditemukan di wilayah kerja Anda.")]})
            else:
                person = services.person_create(actor=request.user, data=data["person"])
            registration = services.registration_create(
                actor=request.user, person=person, category=data["category"], needs=data["needs"],
                assessed_on=data.get("assessed_on"), submit=data["submit"], client_uuid=client_uuid,
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        # None (an existing person): the serializer checks the person as it does on a replay.
        registration.identity_warnings = getattr(person, "warnings", None)
        return Response(RegistrationCreatedSerializer(registration).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=NikSearchSerializer,
        responses=RegistrationSerializer(many=True),
        description=(
            "Cari registrasi menurut NIK atau No. KK. NIK dikirim di badan permintaan, bukan di URL, agar tidak "
            "tercatat di log server atau proxy. Saringan lain (status, category, …) boleh tetap di query string; "
            "?q= hanya untuk nama dan menolak NIK dengan 400."
        ),
    )
    @action(detail=False, methods=["post"], url_path="search", url_name="search", throttle_scope="nik_search")
    def search(self, request):
        """Registrations of the person with this NIK, or of the family with this No. KK."""
        serializer = NikSearchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._list_response(filter_nik(self.filter_queryset(self.get_queryset()),
                                              serializer.validated_data["nik"]))

    def _idempotency_key(self, request) -> uuid.UUID | None:
        value = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if not value:
            return None
        try:
            return uuid.UUID(value)
        except ValueError as error:
            raise ValidationError({IDEMPOTENCY_HEADER: [_("Idempotency-Key harus UUID.")]}) from error

    def _transition(self, request, action_name: str):
        registration = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            registration = services.registration_transition(
                registration=registration, action=action_name, actor=request.user,
                note=serializer.validated_data["note"],
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        return Response(RegistrationDetailSerializer(registration).data)


def _transition_action(action_name: str):
    """A POST action ``/registrations/{id}/<action_name>/`` for one workflow step."""

    def handler(self, request, pk=None):
        return self._transition(request, action_name)

    handler.__name__ = action_name
    handler.__doc__ = "{} (alur kerja registrasi).".format(TRANSITIONS[action_name].label)
    handler = action(detail=True, methods=["post"], url_path=action_name, url_name=action_name)(handler)
    return extend_schema(request=TransitionSerializer, responses=RegistrationDetailSerializer)(handler)


for _action_name in TRANSITIONS:
    setattr(RegistrationViewSet, _action_name, _transition_action(_action_name))


class PersonViewSet(mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """People in the caller's region. NIK is returned masked; ``reveal-nik`` shows it once and audits it."""

    serializer_class = PersonSerializer
    http_method_names = ["get", "patch", "post", "head", "options"]
    throttle_scope = None  # reveal-nik sets its own ("nik")

    def get_queryset(self):
        return visible_to(self.request.user, Person.objects.all()).select_related("village")

    def perform_update(self, serializer):
        try:
            data = dict(serializer.validated_data)
            reason = data.pop("correction_reason", "")
            serializer.instance = services.person_update(
                person=serializer.instance, actor=self.request.user, data=data, reason=reason
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from error

    @extend_schema(request=None, responses=NikRevealSerializer)
    @action(detail=True, methods=["post"], url_path="reveal-nik")  # the service counts the "nik" limit
    def reveal_nik(self, request, pk=None):
        nik = services.person_nik_reveal(person=self.get_object(), actor=request.user, request=request)
        return Response({"nik": nik})


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """The PPKS categories with the directorate currently responsible for each."""

    serializer_class = CategorySerializer
    lookup_field = "code"
    pagination_class = None

    def get_queryset(self):
        return categories_with_directorates()


REFERRAL_ANSWERS = {
    "accept": lambda referral, actor, data: referral_services.referral_accept(
        referral=referral, actor=actor, note=data["note"]),
    "decline": lambda referral, actor, data: referral_services.referral_decline(
        referral=referral, actor=actor, reason=data["reason"]),
    "forward": lambda referral, actor, data: referral_services.referral_forward(
        referral=referral, actor=actor, unit=_required(data, "unit"), note=data["note"]),
    "services": lambda referral, actor, data: referral_services.referral_service_record(
        referral=referral, actor=actor, service_type=_required(data, "service_type"),
        service_date=_required(data, "service_date"), result=data["result"], note=data["note"]),
    "close": lambda referral, actor, data: referral_services.referral_close(
        referral=referral, actor=actor, outcome=_required(data, "outcome"), note=data["note"]),
}


def _required(data: dict, name: str):
    if data.get(name) in (None, ""):
        raise ValidationError({name: [_("Wajib diisi.")]})
    return data[name]


class ReferralCursorPagination(CursorPagination):
    ordering = ("-sent_at", "-id")
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"


class ReferralRolePermission(BasePermission):
    """Referrals are read by Dinas Sosial, analysts and unit officers; only Dinas Sosial and units answer them."""

    message = _("Peran Anda tidak dapat membuka rujukan.")

    def has_permission(self, request, view):
        if view.action in REFERRAL_ANSWERS or view.action == "reveal_nik":
            return can_answer_referrals(request.user)
        return can_answer_referrals(request.user) or role_of(request.user) == "kemensos_analyst"


class ReferralViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Referrals: a unit's inbox (its officers) or the follow-up of Dinas Sosial (its region).

    Answers are POST actions: ``accept``, ``decline`` (``reason``), ``forward`` (``unit``), ``services``
    (``service_type``, ``service_date``, ``result``), ``close`` (``outcome``); each is one service call
    and the registration's status follows. ``reveal-nik`` shows the person's NIK to units that need it.
    """

    serializer_class = ReferralSerializer
    permission_classes = [IsAuthenticated, ReferralRolePermission]
    filterset_class = ReferralFilterSet
    pagination_class = ReferralCursorPagination
    http_method_names = ["get", "post", "head", "options"]
    throttle_scope = None

    def get_queryset(self):
        return referral_list(user=self.request.user).queryset.prefetch_related("services")

    def _answer(self, request, action_name: str):
        referral = self.get_object()
        serializer = ReferralAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            REFERRAL_ANSWERS[action_name](referral, request.user, serializer.validated_data)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        return Response(ReferralSerializer(self.get_queryset().get(pk=referral.pk)).data)

    @extend_schema(request=None, responses=NikRevealSerializer)
    @action(detail=True, methods=["post"], url_path="reveal-nik")  # the service counts the "nik" limit
    def reveal_nik(self, request, pk=None):
        nik = referral_services.referral_nik_reveal(referral=self.get_object(), actor=request.user, request=request)
        return Response({"nik": nik})


def _answer_action(action_name: str):
    def handler(self, request, pk=None):
        return self._answer(request, action_name)

    handler.__name__ = action_name
    handler.__doc__ = "Jawaban unit atas rujukan: {}.".format(action_name)
    handler = action(detail=True, methods=["post"], url_path=action_name, url_name=action_name)(handler)
    return extend_schema(request=ReferralAnswerSerializer, responses=ReferralSerializer)(handler)


for _action_name in REFERRAL_ANSWERS:
    setattr(ReferralViewSet, _action_name, _answer_action(_action_name))
