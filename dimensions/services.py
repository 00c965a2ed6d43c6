"""Writes for assessments: create, respondents and answers (drafts), submit with scoring, validate, return.

Only drafts and returned assessments can be edited; a validated assessment is frozen.
"""

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Notification
from accounts.notifications import notify
from accounts.scoping import scope_of
from accounts.services import audit_record
from config.caching import aggregates_changed
from dimensions import records, scoring
from dimensions.models import Answer, Assessment, DimensionScore, Indicator, Instrument, RecordValue, Respondent

ASSESSOR_ROLES = frozenset({"pensosmas", "dinsos_kabupaten", "dinsos_provinsi", "admin"})
VALIDATOR_ROLES = frozenset({"dinsos_kabupaten", "dinsos_provinsi", "admin"})


def _role(user) -> str:
    return "admin" if user.is_superuser else (user.role or "")


def can_assess(user) -> bool:
    return _role(user) in ASSESSOR_ROLES


def can_validate(user) -> bool:
    return _role(user) in VALIDATOR_ROLES


def _require_scope(actor, assessment_or_village_code: str) -> None:
    if not scope_of(actor).covers(assessment_or_village_code):
        raise PermissionDenied(_("Desa {code} di luar wilayah kerja Anda.").format(code=assessment_or_village_code))


def can_edit(user, assessment: Assessment) -> bool:
    """Whether ``user`` may change the respondents and answers of ``assessment`` (whatever its status).

    Dinas Sosial and administrators may, inside their scope; a Pensosmas only on the assessments
    they started; Kemensos analysts only read.
    """
    if not can_assess(user) or not scope_of(user).covers(assessment.village_id):
        return False
    return not user.is_pensosmas or assessment.assessor_id == user.pk


def _require_editor(actor, assessment: Assessment) -> None:
    _require_scope(actor, assessment.village_id)
    if not can_edit(actor, assessment):
        raise PermissionDenied(_("Hanya asesor asesmen ini atau Dinas Sosial yang dapat mengubahnya."))


def _require_editable(assessment: Assessment) -> None:
    if not assessment.is_editable:
        raise ValidationError(
            _("Asesmen berstatus '{status}' tidak dapat diubah.").format(status=assessment.get_status_display())
        )


def active_instrument() -> Instrument:
    instrument = Instrument.objects.filter(is_active=True).order_by("-valid_from").first()
    if instrument is None:
        raise ValidationError(_("Belum ada instrumen aktif."))
    return instrument


@transaction.atomic
def assessment_create(*, actor, village, year: int, phase: str, period_label: str = "",
                      instrument: Instrument | None = None, client_uuid: uuid.UUID | None = None) -> Assessment:
    """Start an assessment (a draft). With ``client_uuid`` a resend returns the assessment made the first time."""
    if client_uuid is not None:
        existing = Assessment.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            if existing.assessor_id != actor.pk:
                raise ValidationError({"client_uuid": [_("ID klien ini sudah dipakai pengguna lain.")]})
            return existing
    if not can_assess(actor):
        raise PermissionDenied(_("Peran Anda tidak dapat membuat asesmen."))
    _require_scope(actor, village.code)
    assessment = Assessment(village=village, year=year, phase=phase, period_label=period_label.strip(),
                            instrument=instrument or active_instrument(), assessor=actor, client_uuid=client_uuid)
    assessment.full_clean()
    assessment.save()
    aggregates_changed("assessments")  # a baseline being collected moves the village into Look
    audit_record(actor=actor, action="dimensions.assessment.create", obj=assessment,
                 detail={"village": village.code, "year": year, "phase": phase})
    return assessment


def _check_value(indicator: Indicator, value, respondent_label: str, line: int | None = None) -> int:
    """``value`` as a whole number on the indicator's scale, or a message naming indicator and respondent.

    Values read from a spreadsheet (``line`` given) are named by line and column instead.
    """
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or str(value).strip() != str(number) or not indicator.scale_min <= number <= indicator.scale_max:
        if line is not None:
            message = _("Baris {line}, kolom {code}: nilai {value} di luar skala {low}–{high}.")
        else:
            message = _("Indikator {code}, responden {respondent}: nilai '{value}' di luar skala {low}–{high}.")
        raise ValidationError(message.format(line=line, code=indicator.code, respondent=respondent_label,
                                             value=value, low=indicator.scale_min, high=indicator.scale_max))
    return number


@transaction.atomic
def respondent_save(*, assessment: Assessment, actor, name: str, institution: str, position: str = "",
                    sex: str = "", respondent: Respondent | None = None) -> Respondent:
    """Add a respondent to an editable assessment, or correct one."""
    _require_editor(actor, assessment)
    _require_editable(assessment)
    respondent = respondent or Respondent(assessment=assessment)
    respondent.name, respondent.institution, respondent.position, respondent.sex = (
        name.strip(), institution.strip(), position.strip(), sex)
    respondent.full_clean()
    respondent.save()
    return respondent


@transaction.atomic
def answers_save(*, assessment: Assessment, actor, respondent: Respondent, values: dict[str, object]) -> int:
    """Save a respondent's answers ({indicator code: value}) as a draft; empty values are removed.

    Out-of-scale values are refused with the indicator and respondent named; nothing is saved then.
    """
    _require_editor(actor, assessment)
    _require_editable(assessment)
    if respondent.assessment_id != assessment.pk:
        raise ValidationError(_("Responden bukan bagian dari asesmen ini."))
    indicators = {indicator.code: indicator for indicator in _indicators(assessment)}
    cleaned, errors = {}, []
    for code, value in values.items():
        if code not in indicators:
            errors.append(_("Indikator {code} tidak ada di instrumen {instrument}.").format(
                code=code, instrument=assessment.instrument.code))
            continue
        if value in (None, ""):
            cleaned[code] = None
            continue
        try:
            cleaned[code] = _check_value(indicators[code], value, respondent.name)
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    existing = {answer.indicator.code: answer for answer in respondent.answers.select_related("indicator")}
    saved = 0
    for code, value in cleaned.items():
        answer = existing.get(code)
        if value is None:
            if answer is not None:
                answer.delete()
            continue
        if answer is None:
            Answer.objects.create(assessment=assessment, respondent=respondent, indicator=indicators[code],
                                  value=value)
        elif answer.value != value:
            answer.value = value
            answer.save(update_fields=["value"])
        saved += 1
    return saved


def _indicators(assessment: Assessment) -> list[Indicator]:
    return list(Indicator.objects.filter(dimension__instrument=assessment.instrument_id)
                .select_related("dimension").order_by("dimension__number", "code"))


def completeness_errors(assessment: Assessment) -> list[str]:
    """Every respondent must answer every indicator; returns the gaps in Indonesian."""
    indicators = _indicators(assessment)
    respondents = list(assessment.respondents.all())
    if not respondents:
        return [_("Belum ada responden.")]
    answered = set(assessment.answers.values_list("respondent_id", "indicator_id"))
    errors = []
    for respondent in respondents:
        missing = [indicator.code for indicator in indicators if (respondent.pk, indicator.pk) not in answered]
        if missing:
            errors.append(_("Responden {name} belum menjawab indikator {codes}.").format(
                name=respondent.name, codes=", ".join(missing)))
    return errors


def moment(at: datetime.datetime | None, *, after: datetime.datetime | None = None,
           field: str = "at") -> datetime.datetime:
    """When a workflow step happened: now, or ``at`` for a step entered after the fact (demo seeds, records
    kept on paper). Never in the future, never before the step it follows (``after``)."""
    now = timezone.now()
    if at is None:
        return now
    if at > now:
        raise ValidationError({field: [_("Waktu langkah tidak boleh di masa depan.")]})
    if after is not None and at < after:
        raise ValidationError({field: [_("Waktu langkah tidak boleh sebelum langkah sebelumnya ({when}).").format(
            when=timezone.localtime(after).strftime("%d-%m-%Y %H:%M"))]})
    return at


def record_values_for(assessment: Assessment, *, as_of: datetime.date) -> dict[int, records.RecordResult]:
    """{indicator pk: value from the app's records} for the assessment's administrative indicators, as of a date."""
    results = {}
    for indicator in _indicators(assessment):
        result = records.record_value(indicator, village_code=assessment.village_id, as_of=as_of)
        if result is not None:
            results[indicator.pk] = result
    return results


def _store_scores(assessment: Assessment, *, as_of: datetime.date) -> scoring.Result:
    indicators = _indicators(assessment)
    values: dict[int, list[int]] = {indicator.pk: [] for indicator in indicators}
    for indicator_id, value in assessment.answers.values_list("indicator_id", "value"):
        values[indicator_id].append(value)
    computed = record_values_for(assessment, as_of=as_of)
    scored_from_records = {indicator.pk: computed[indicator.pk].score for indicator in indicators
                           if indicator.is_scored_from_records and indicator.pk in computed
                           and computed[indicator.pk].score is not None}
    instrument = assessment.instrument
    result = scoring.score(
        [scoring.IndicatorSpec(indicator.pk, indicator.dimension, indicator.scale_min, indicator.scale_max,
                               indicator.weight) for indicator in indicators],
        values,
        scoring.Thresholds(instrument.band_sedang_from, instrument.band_tinggi_from, instrument.weak_point_below),
        record_means=scored_from_records,
    )
    assessment.record_values.all().delete()
    RecordValue.objects.bulk_create([
        RecordValue(assessment=assessment, indicator_id=pk, value=value.value, description=value.description[:250],
                    score=value.score, as_of=as_of, used_for_score=pk in scored_from_records,
                    respondents_mean=scoring.quantize(scoring.indicator_mean(values[pk])) if values[pk] else None)
        for pk, value in computed.items()
    ])
    codes = {indicator.pk: indicator.code for indicator in indicators}
    assessment.scores.all().delete()
    DimensionScore.objects.bulk_create([
        DimensionScore(
            assessment=assessment, dimension=dimension, score=value, is_weak_point=dimension in result.weak_points,
            indicator_means={codes[indicator.pk]: str(result.indicator_means[indicator.pk])
                             for indicator in indicators if indicator.dimension_id == dimension.pk},
        )
        for dimension, value in result.dimension_scores.items()
    ])
    assessment.overall_index, assessment.band, assessment.weakest_dimension = (
        result.overall, result.band, result.weakest)
    return result


@transaction.atomic
def assessment_submit(*, assessment: Assessment, actor, at: datetime.datetime | None = None) -> Assessment:
    """Check completeness, compute and store the scores, and hand the assessment to Dinas Sosial.

    Administrative indicators are computed from the village's records as of the submission date and
    frozen with the assessment (``RecordValue``).
    """
    assessment = Assessment.objects.select_for_update().select_related("instrument").get(pk=assessment.pk)
    _require_editor(actor, assessment)
    _require_editable(assessment)
    errors = completeness_errors(assessment)
    if errors:
        raise ValidationError(errors)
    submitted_at = moment(at)
    result = _store_scores(assessment, as_of=timezone.localdate(submitted_at))
    assessment.status, assessment.submitted_at = Assessment.Status.SUBMITTED, submitted_at
    assessment.save()
    audit_record(actor=actor, action="dimensions.assessment.submit", obj=assessment,
                 detail={"index": str(result.overall), "band": result.band})
    return assessment


@transaction.atomic
def assessment_validate(*, assessment: Assessment, actor, at: datetime.datetime | None = None) -> Assessment:
    """Dinas Sosial accepts a submitted assessment; from then on it is frozen."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _require_scope(actor, assessment.village_id)
    if not can_validate(actor):
        raise PermissionDenied(_("Hanya Dinas Sosial yang dapat memvalidasi asesmen."))
    if assessment.status != Assessment.Status.SUBMITTED:
        raise ValidationError(_("Hanya asesmen yang diajukan yang dapat divalidasi."))
    assessment.status, assessment.validated_at, assessment.validated_by = (
        Assessment.Status.VALIDATED, moment(at, after=assessment.submitted_at), actor)
    assessment.save()
    aggregates_changed("assessments")
    audit_record(actor=actor, action="dimensions.assessment.validate", obj=assessment)
    return assessment


@transaction.atomic
def assessment_return(*, assessment: Assessment, actor, reason: str) -> Assessment:
    """Dinas Sosial sends a submitted assessment back for correction, with a reason."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _require_scope(actor, assessment.village_id)
    if not can_validate(actor):
        raise PermissionDenied(_("Hanya Dinas Sosial yang dapat mengembalikan asesmen."))
    if assessment.status != Assessment.Status.SUBMITTED:
        raise ValidationError(_("Hanya asesmen yang diajukan yang dapat dikembalikan."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Alasan wajib diisi.")]})
    assessment.status, assessment.return_reason = Assessment.Status.RETURNED, reason.strip()
    assessment.save()
    audit_record(actor=actor, action="dimensions.assessment.return", obj=assessment, detail={"reason": reason})
    if assessment.assessor_id != actor.pk:
        notify(recipients=[assessment.assessor], kind=Notification.Kind.ASSESSMENT_RETURNED, obj=assessment)
    return assessment


@transaction.atomic
def answers_replace(*, assessment: Assessment, actor, rows: list[dict]) -> int:
    """Replace all respondents and answers of an editable assessment (spreadsheet import, API submit).

    ``rows``: [{"name", "institution", "position", "sex", "answers": {code: value}, "line"}]. All-or-nothing:
    any invalid or empty value refuses the whole set with every problem listed; rows read from a
    spreadsheet carry their ``line``, and their problems are named by line and column.
    """
    _require_editor(actor, assessment)
    _require_editable(assessment)
    indicators = {indicator.code: indicator for indicator in _indicators(assessment)}
    errors, prepared = [], []
    for number, row in enumerate(rows, start=1):
        name = (row.get("name") or "").strip()
        institution = (row.get("institution") or "").strip()
        line = row.get("line")
        label = name or _("#{number}").format(number=number)
        if not name:
            errors.append(_("Baris {line}, kolom responden: nama kosong.").format(line=line) if line else
                          _("Responden #{number}: nama kosong.").format(number=number))
        if not institution:
            errors.append(_("Baris {line}, kolom lembaga: lembaga kosong.").format(line=line) if line else
                          _("Responden {label}: lembaga kosong.").format(label=label))
        values = {}
        for code, value in (row.get("answers") or {}).items():
            if code not in indicators:
                errors.append(_("Responden {label}: indikator {code} tidak ada di instrumen.").format(
                    label=label, code=code))
                continue
            if value is None or str(value).strip() == "":
                errors.append(_("Baris {line}, kolom {code}: nilai kosong.").format(line=line, code=code) if line else
                              _("Indikator {code}, responden {label}: nilai kosong.").format(code=code, label=label))
                continue
            try:
                values[code] = _check_value(indicators[code], value, label, line)
            except ValidationError as error:
                errors.extend(error.messages)
        prepared.append((name, institution, (row.get("position") or "").strip(), row.get("sex") or "", values))
    if errors:
        raise ValidationError(errors)
    assessment.answers.all().delete()
    assessment.respondents.all().delete()
    answers = []
    for name, institution, position, sex, values in prepared:
        respondent = Respondent.objects.create(assessment=assessment, name=name, institution=institution,
                                               position=position, sex=sex if sex in {"L", "P"} else "")
        answers.extend(Answer(assessment=assessment, respondent=respondent, indicator=indicators[code], value=value)
                       for code, value in values.items())
    Answer.objects.bulk_create(answers)
    audit_record(actor=actor, action="dimensions.answers.replace", obj=assessment,
                 detail={"respondents": len(prepared), "answers": len(answers)})
    return len(answers)


