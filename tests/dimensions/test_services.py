import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEvent
from dimensions import services
from dimensions.models import Answer, Assessment, Dimension, Indicator, Instrument
from villages.models import Village

pytestmark = pytest.mark.django_db


def test_out_of_range_and_non_numeric_values_are_refused_with_clear_messages(make_assessment):
    assessment = make_assessment(answered=False)
    with pytest.raises(ValidationError) as error:
        services.answers_replace(assessment=assessment, actor=assessment.assessor, rows=[
            {"name": "Ibu Siti", "institution": "PKK", "answers": {"1.1": 7, "1.2": "tiga", "9.9": 1}},
            {"name": "", "institution": "", "answers": {}},
        ])
    assert error.value.messages == [
        "Indikator 1.1, responden Ibu Siti: nilai '7' di luar skala 1–5.",
        "Indikator 1.2, responden Ibu Siti: nilai 'tiga' di luar skala 1–5.",
        "Responden Ibu Siti: indikator 9.9 tidak ada di instrumen.",
        "Responden #2: nama kosong.",
        "Responden #2: lembaga kosong.",
    ]
    assert not Answer.objects.exists()


def test_missing_answers_block_submission(make_assessment):
    assessment = make_assessment()
    Answer.objects.filter(respondent__name="Pak Darmo", indicator__code__in=["2.3", "4.5"]).delete()
    with pytest.raises(ValidationError) as error:
        services.assessment_submit(assessment=assessment, actor=assessment.assessor)
    assert error.value.messages == ["Responden Pak Darmo belum menjawab indikator 2.3, 4.5."]
    empty = make_assessment(answered=False, phase="endline")
    with pytest.raises(ValidationError) as error:
        services.assessment_submit(assessment=empty, actor=empty.assessor)
    assert error.value.messages == ["Belum ada responden."]


def test_validated_assessment_is_frozen(make_assessment, users):
    assessment = make_assessment(submit=True)
    with pytest.raises(PermissionDenied):
        services.assessment_validate(assessment=assessment, actor=users["pensosmas"])
    assessment = services.assessment_validate(assessment=assessment, actor=users["regency"])
    assert assessment.status == Assessment.Status.VALIDATED
    respondent = assessment.respondents.first()
    with pytest.raises(ValidationError) as error:
        services.answers_save(assessment=assessment, actor=users["pensosmas"], respondent=respondent,
                              values={"1.1": "1"})
    assert error.value.messages == ["Asesmen berstatus 'Divalidasi' tidak dapat diubah."]
    with pytest.raises(ValidationError):
        services.assessment_return(assessment=assessment, actor=users["regency"], reason="x")
    assert AuditEvent.objects.filter(action="dimensions.assessment.validate").count() == 1


def test_return_needs_a_reason_and_reopens(make_assessment, users):
    assessment = make_assessment(submit=True)
    with pytest.raises(ValidationError):
        services.assessment_return(assessment=assessment, actor=users["regency"], reason=" ")
    assessment = services.assessment_return(assessment=assessment, actor=users["regency"], reason="Cek D3")
    assert assessment.is_editable
    assert services.assessment_submit(assessment=assessment, actor=users["pensosmas"]).status == "submitted"


def test_drafts_save_partially_and_out_of_scope_is_refused(make_assessment, users):
    assessment = make_assessment(answered=False)
    respondent = services.respondent_save(assessment=assessment, actor=users["pensosmas"], name="Ibu Siti",
                                          institution="PKK")
    assert services.answers_save(assessment=assessment, actor=users["pensosmas"], respondent=respondent,
                                 values={"1.1": "4", "1.2": ""}) == 1
    assert services.answers_save(assessment=assessment, actor=users["pensosmas"], respondent=respondent,
                                 values={"1.1": "5"}) == 1
    assert list(Answer.objects.values_list("indicator__code", "value")) == [("1.1", 5)]
    with pytest.raises(PermissionDenied):
        services.answers_save(assessment=assessment, actor=users["other_regency"], respondent=respondent,
                              values={"1.1": "1"})
    with pytest.raises(PermissionDenied):
        services.assessment_create(actor=users["pensosmas"], village=Village.objects.get(code="35.12.01.2001"),
                                   year=2026, phase="baseline")


def test_one_baseline_per_village_and_year(make_assessment):
    make_assessment(answered=False)
    with pytest.raises(ValidationError) as error:
        make_assessment(answered=False)
    assert "Desa ini sudah punya asesmen tahap tersebut pada tahun itu." in error.value.messages


def test_a_new_instrument_version_leaves_old_scores_untouched(make_assessment, users, instrument):
    old = make_assessment(submit=True)
    old_scores = list(old.scores.values_list("dimension__code", "score"))
    # given: version 0.2 with one indicator per dimension, now the active one
    instrument.is_active = False
    instrument.save()
    Instrument.objects.filter(is_active=True).update(is_active=False)
    new = Instrument.objects.create(code="IKSM-Desa v9-uji", name="Uji", is_active=True)
    for number in range(1, 5):
        dimension = Dimension.objects.create(instrument=new, number=number, code="D{}".format(number), name="x")
        Indicator.objects.create(dimension=dimension, code="{}.1".format(number), text="x", source="K")
    # when
    assessment = services.assessment_create(actor=users["pensosmas"], village=old.village, year=2026,
                                            phase="endline")
    services.answers_replace(assessment=assessment, actor=users["pensosmas"], rows=[
        {"name": "A", "institution": "B", "answers": {"1.1": 5, "2.1": 5, "3.1": 5, "4.1": 5}}])
    assessment = services.assessment_submit(assessment=assessment, actor=users["pensosmas"])
    # then
    assert assessment.instrument == new
    assert assessment.overall_index == 1
    old.refresh_from_db()
    assert old.instrument == instrument
    assert list(old.scores.values_list("dimension__code", "score")) == old_scores
