from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config.api import CodeRelatedField
from config.digits import is_ascii_digits
from ppks.models import Category, Person, Referral, Registration, RegistrationEvent, ServiceRecord, ServiceUnit
from ppks.nik import mask_nik
from villages.api.fields import VillageCodeField


class CategorySerializer(serializers.ModelSerializer):
    directorate = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["code", "order_no", "name", "definition", "criteria", "min_age", "max_age", "required_sex",
                  "subject_kinds", "is_specific_data", "directorate"]

    def get_directorate(self, obj) -> str | None:
        from django.utils import timezone

        directorate = obj.directorate_on(timezone.localdate())
        return directorate.code if directorate else None


class PersonSerializer(serializers.ModelSerializer):
    """A person; NIK and No. KK are written in full but always read back masked (the NIK rule, "page")."""

    nik = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=16, write_only=True)
    nik_masked = serializers.SerializerMethodField()
    kk_number = serializers.CharField(required=False, allow_blank=True, max_length=16, write_only=True)
    kk_number_masked = serializers.SerializerMethodField()
    village = VillageCodeField()
    correction_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500, write_only=True,
        help_text=_("Alasan koreksi; wajib saat mengubah data orang (PATCH)."),
    )

    class Meta:
        model = Person
        fields = [
            "id", "nik", "nik_masked", "nik_status", "kk_number", "kk_number_masked", "name", "birth_place",
            "birth_date", "sex", "village", "dusun", "rt", "rw", "street_address", "phone", "disability",
            "dtsen_decile", "dtsen_decile_as_of", "merged_into", "anonymised_at", "created_at", "updated_at",
            "correction_reason",
        ]
        read_only_fields = ["merged_into", "anonymised_at", "created_at", "updated_at"]

    def get_nik_masked(self, obj) -> str:
        return mask_nik(obj.nik)

    def get_kk_number_masked(self, obj) -> str:
        return mask_nik(obj.kk_number)

    def validate(self, attrs):
        if self.partial and "nik" not in attrs:
            return attrs
        attrs["nik"] = (attrs.get("nik") or "").replace(" ", "") or None
        if attrs["nik"]:
            attrs["nik_status"] = Person.NikStatus.RECORDED
        elif attrs.get("nik_status", Person.NikStatus.RECORDED) == Person.NikStatus.RECORDED:
            raise serializers.ValidationError(
                {"nik_status": [_("NIK kosong: pilih alasannya (belum_punya, dalam_proses, tidak_diketahui).")]}
            )
        return attrs


class RegistrationEventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()

    class Meta:
        model = RegistrationEvent
        fields = ["from_status", "to_status", "actor", "occurred_at", "note"]


class RegistrationSerializer(serializers.ModelSerializer):
    person = PersonSerializer(read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    village = serializers.SlugRelatedField(slug_field="code", read_only=True)
    directorate = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Registration
        fields = [
            "id", "person", "category", "village", "status", "needs", "assessed_on", "directorate",
            "rejection_reason", "client_uuid", "created_at", "submitted_at", "verified_at", "referred_at",
            "served_at", "closed_at",
        ]
        read_only_fields = fields


class RegistrationDetailSerializer(RegistrationSerializer):
    events = RegistrationEventSerializer(many=True, read_only=True)
    warnings = serializers.SerializerMethodField(
        help_text=_("Hal yang perlu diperiksa (kriteria usia/jenis kelamin kategori, jenis disabilitas, NIK); "
                    "bukan kesalahan, data tetap tersimpan."))

    class Meta(RegistrationSerializer.Meta):
        fields = [*RegistrationSerializer.Meta.fields, "events", "warnings"]
        read_only_fields = fields

    def get_warnings(self, obj) -> list[str]:
        """The same category rule as the pages and the import (``services.registration_warnings``)."""
        from ppks.services import registration_warnings

        return [str(warning) for warning in registration_warnings(person=obj.person, category=obj.category,
                                                                  on=obj.assessed_on)]


class RegistrationCreatedSerializer(RegistrationDetailSerializer):
    """A registration just created (or replayed by its Idempotency-Key), with the register form's warnings."""

    warnings = serializers.SerializerMethodField(
        help_text=_("Peringatan yang di formulir perlu dikonfirmasi (kriteria usia/jenis kelamin kategori, data "
                    "identitas); registrasi tetap tersimpan."))

    class Meta(RegistrationDetailSerializer.Meta):
        fields = RegistrationDetailSerializer.Meta.fields
        read_only_fields = fields

    def get_warnings(self, obj) -> list[str]:
        """What the register form would ask to confirm: the person's identity warnings (those ``person_create``
        gave, such as a NIK to be checked by Dinas Sosial; on a replay, ``services.identity_check`` again) and
        the category rule."""
        from django.db.models import Q

        from ppks.models import DuplicateCandidate
        from ppks.services import identity_check, nik_check_message

        identity = getattr(obj, "identity_warnings", None)
        if identity is None:
            person = obj.person
            identity = list(identity_check(nik=person.nik, kk_number=person.kk_number, birth_date=person.birth_date,
                                           sex=person.sex).warnings)
            if person.nik is None and DuplicateCandidate.objects.filter(
                    Q(person=person) | Q(other=person), reason=DuplicateCandidate.Reason.SAME_NIK,
                    status=DuplicateCandidate.Status.OPEN).exists():
                identity.append(nik_check_message())  # saved without a NIK another region holds
        return [str(warning) for warning in identity] + super().get_warnings(obj)


class RegistrationCreateSerializer(serializers.Serializer):
    """Register a PPKS: either an existing person (``person_id``) or a new one (``person``)."""

    person_id = serializers.IntegerField(required=False)
    person = PersonSerializer(required=False)
    category = CodeRelatedField(slug_field="code", queryset=Category.objects.current())
    needs = serializers.CharField(required=False, allow_blank=True, default="")
    assessed_on = serializers.DateField(required=False)
    submit = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        if bool(attrs.get("person_id")) == bool(attrs.get("person")):
            raise serializers.ValidationError(
                _("Isi salah satu: person_id (orang terdaftar) atau person (orang baru).")
            )
        return attrs


class RegistrationUpdateSerializer(serializers.Serializer):
    category = CodeRelatedField(slug_field="code", queryset=Category.objects.current(), required=False)
    needs = serializers.CharField(required=False, allow_blank=True)
    assessed_on = serializers.DateField(required=False)


class TransitionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class NikRevealSerializer(serializers.Serializer):
    nik = serializers.CharField()


class NikSearchSerializer(serializers.Serializer):
    """A NIK or No. KK to search by; sent in the request body so it never appears in a URL or log."""

    nik = serializers.CharField(
        max_length=32, help_text=_("NIK atau No. KK, 16 digit angka (spasi, titik dan tanda hubung diabaikan)."))

    def validate_nik(self, value: str) -> str:
        digits = value.replace(" ", "").replace(".", "").replace("-", "")
        if len(digits) != 16 or not is_ascii_digits(digits):
            raise serializers.ValidationError(_("NIK atau No. KK harus 16 digit angka."))
        return digits


class ServiceRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceRecord
        fields = ["id", "service_type", "service_date", "result", "note", "recorded_at"]
        read_only_fields = ["id", "recorded_at"]


class ReferralSerializer(serializers.ModelSerializer):
    """A referral as its unit and Dinas Sosial see it; the person's NIK is masked (``nik_masked``)."""

    person_name = serializers.CharField(source="registration.person.name", read_only=True)
    nik_masked = serializers.SerializerMethodField()
    category = serializers.CharField(source="registration.category.code", read_only=True)
    village = serializers.CharField(source="registration.village_id", read_only=True)
    registration_status = serializers.CharField(source="registration.status", read_only=True)
    directorate = serializers.CharField(source="directorate.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    letter_number = serializers.CharField(source="batch.letter_number", read_only=True, default="")
    overdue = serializers.SerializerMethodField()
    services = ServiceRecordSerializer(many=True, read_only=True)

    class Meta:
        model = Referral
        fields = ["id", "registration", "person_name", "nik_masked", "category", "village", "registration_status",
                  "directorate", "unit", "unit_name", "letter_number", "state", "overdue", "sent_at", "answered_at",
                  "closed_at", "decline_reason", "outcome", "closing_note", "forwarded_from", "services"]
        read_only_fields = fields

    def get_nik_masked(self, obj) -> str:
        return mask_nik(obj.registration.person.nik)

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue()


class ReferralAnswerSerializer(serializers.Serializer):
    """The body of a unit's answer; which fields count depends on the action."""

    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    unit = serializers.PrimaryKeyRelatedField(queryset=ServiceUnit.objects.filter(active=True), required=False)
    service_type = serializers.ChoiceField(choices=ServiceRecord.ServiceType.choices, required=False)
    service_date = serializers.DateField(required=False)
    result = serializers.ChoiceField(choices=ServiceRecord.Result.choices, required=False,
                                     default=ServiceRecord.Result.GIVEN)
    outcome = serializers.ChoiceField(choices=Referral.Outcome.choices, required=False)


# The registration list (``GET registrations/`` and ``POST registrations/search/``) reads only these columns
# and writes ``RegistrationSerializer``'s JSON from them: no model instance per registration and person.
PERSON_LIST_FIELDS = (
    "id", "nik", "nik_status", "kk_number", "name", "birth_place", "birth_date", "sex", "village_id", "dusun",
    "rt", "rw", "street_address", "phone", "disability", "dtsen_decile", "dtsen_decile_as_of", "merged_into_id",
    "anonymised_at", "created_at", "updated_at",
)
REGISTRATION_LIST_VALUES = (
    "id", "category_id", "village_id", "status", "needs", "assessed_on", "directorate_id", "rejection_reason",
    "client_uuid", "created_at", "submitted_at", "verified_at", "referred_at", "served_at", "closed_at",
    *("person__" + name for name in PERSON_LIST_FIELDS),
)
_DATETIME = serializers.DateTimeField()
_DATE = serializers.DateField()


def _datetime(value, zone=None):
    """DRF's ISO 8601 of a datetime; an aware one is written here directly (``zone``: the current time zone),
    as ``DateTimeField.to_representation`` does: in that zone, ``Z`` for UTC. 250 per page of 50."""
    if value is None:
        return None
    if zone is None or value.tzinfo is None:
        return _DATETIME.to_representation(value)
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _date(value):
    return None if value is None else _DATE.to_representation(value)


def _fast_zone():
    """The zone ``_datetime`` may write in by itself: DRF's default ISO format with time zones on, else None."""
    from django.conf import settings
    from django.utils import timezone
    from rest_framework.settings import ISO_8601, api_settings

    if not settings.USE_TZ or str(api_settings.DATETIME_FORMAT).lower() != ISO_8601:
        return None
    return timezone.get_current_timezone()


def registration_list_data(values) -> list[dict]:
    """``RegistrationSerializer(many=True).data`` written from ``values(*REGISTRATION_LIST_VALUES)`` rows.

    The same keys, order and formats (DRF's own date and time fields; NIK and No. KK masked);
    categories and directorates are named from memory (ppks/reference.py).
    """
    from ppks.reference import reference

    known = reference()
    zone = _fast_zone()
    data = []
    for row in values:
        person = {name: row["person__" + name] for name in PERSON_LIST_FIELDS}
        category = known.categories.get(row["category_id"])
        directorate = known.directorates.get(row["directorate_id"])
        data.append({
            "id": row["id"],
            "person": {
                "id": person["id"], "nik_masked": mask_nik(person["nik"]), "nik_status": person["nik_status"],
                "kk_number_masked": mask_nik(person["kk_number"]), "name": person["name"],
                "birth_place": person["birth_place"], "birth_date": _date(person["birth_date"]),
                "sex": person["sex"], "village": person["village_id"], "dusun": person["dusun"],
                "rt": person["rt"], "rw": person["rw"], "street_address": person["street_address"],
                "phone": person["phone"], "disability": person["disability"],
                "dtsen_decile": person["dtsen_decile"], "dtsen_decile_as_of": _date(person["dtsen_decile_as_of"]),
                "merged_into": person["merged_into_id"], "anonymised_at": _datetime(person["anonymised_at"], zone),
                "created_at": _datetime(person["created_at"], zone),
                "updated_at": _datetime(person["updated_at"], zone),
            },
            "category": category.code if category else None,
            "village": row["village_id"],
            "status": row["status"],
            "needs": row["needs"],
            "assessed_on": _date(row["assessed_on"]),
            "directorate": directorate.code if directorate else None,
            "rejection_reason": row["rejection_reason"],
            "client_uuid": None if row["client_uuid"] is None else str(row["client_uuid"]),
            **{name: _datetime(row[name], zone) for name in (
                "created_at", "submitted_at", "verified_at", "referred_at", "served_at", "closed_at")},
        })
    return data
