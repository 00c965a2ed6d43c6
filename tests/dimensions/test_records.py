"""IKSM-Desa v0.2: Kepmensos wording, administrative indicators from the app's records, rounding once."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dimensions import records, scoring, services
from dimensions.instrument_data import KEPMENSOS_12_HUK_2006_DIMENSIONS
from dimensions.models import Assessment, Indicator, Instrument, RecordValue
from ppks import referral_services
from ppks import services as ppks_services
from ppks.models import ServiceRecord
from tests.dimensions.conftest import example_answers
from tests.ppks.factories import register
from tests.ppks.test_referrals import send
from villages.models import SocialPillar, Village

pytestmark = pytest.mark.django_db
THRESHOLDS = scoring.Thresholds(Decimal("0.50"), Decimal("0.75"), Decimal("0.40"))


def test_v0_2_is_active_with_the_exact_kepmensos_titles_and_v0_1_keeps_its_own():
    active = services.active_instrument()
    assert active.code == "IKSM-Desa v0.2"
    assert [dimension.name for dimension in active.dimensions.order_by("number")] == [
        "Perlindungan sosial bagi kelompok rentan, miskin, dan penyandang masalah sosial lainnya",
        "Partisipasi masyarakat dalam mengikuti kegiatan organisasi sosial lokal",
        "Pengendalian terhadap konflik sosial dan tindak kekerasan",
        "Pemeliharaan kearifan lokal dalam mengelola sumber daya alam dan sumber daya sosial",
    ] == [KEPMENSOS_12_HUK_2006_DIMENSIONS[number] for number in (1, 2, 3, 4)]
    old = Instrument.objects.get(code="IKSM-Desa v0.1")
    assert not old.is_active
    assert old.dimensions.get(number=3).name == "Pengendalian konflik sosial dan tindak kekerasan"
    scored_from_records = Indicator.objects.filter(dimension__instrument=active, scored_from="records")
    assert sorted(scored_from_records.values_list("code", "record_rule")) == [
        ("1.1", "ppks_freshness"), ("1.2", "ppks_served_share"), ("2.1", "psks_active_types")]
    assert not Indicator.objects.filter(dimension__instrument=old, scored_from="records").exists()
    assert Indicator.objects.filter(dimension__instrument=old).exclude(record_rule="").count() == 3


def test_overall_index_is_the_mean_of_unrounded_dimension_indices_rounded_once(make_assessment, users):
    # given: three respondents; D1 all 1 (0), D2 answers summing to 52 of 15 (37/60 = 0.61666…),
    #        D3 summing to 73 (58/60 = 0.96666…), D4 all 5 (1)
    answers = {
        "r1": {"D1": [1] * 5, "D2": [4] * 5, "D3": [5] * 5, "D4": [5] * 5},
        "r2": {"D1": [1] * 5, "D2": [3] * 5, "D3": [5] * 5, "D4": [5] * 5},
        "r3": {"D1": [1] * 5, "D2": [4, 4, 3, 3, 3], "D3": [5, 5, 5, 4, 4], "D4": [5] * 5},
    }
    assessment = make_assessment(answered=False)
    rows = []
    for name, by_dimension in answers.items():
        values = {}
        for code in example_answers("r1"):
            dimension, position = code.split(".")
            values[code] = by_dimension["D" + dimension][int(position) - 1]
        rows.append({"name": name, "institution": "PKK", "answers": values})
    services.answers_replace(assessment=assessment, actor=users["pensosmas"], rows=rows)
    # when
    assessment = services.assessment_submit(assessment=assessment, actor=users["pensosmas"])
    # then: the exact mean 2.58333…/4 = 0.645833… → 0.6458; averaging the rounded indices would give 0.6459
    assert list(assessment.scores.values_list("score", flat=True)) == [
        Decimal("0.0000"), Decimal("0.6167"), Decimal("0.9667"), Decimal("1.0000")]
    assert assessment.overall_index == Decimal("0.6458")


def test_scoring_rounds_each_published_figure_once():
    specs = [scoring.IndicatorSpec("a", "D1", 0, 80000), scoring.IndicatorSpec("b", "D2", 0, 80000),
             scoring.IndicatorSpec("c", "D3", 0, 80000), scoring.IndicatorSpec("d", "D4", 0, 100000)]
    result = scoring.score(specs, {"a": [52100], "b": [52100], "c": [52100], "d": [65042]}, THRESHOLDS)
    assert result.dimension_scores == {"D1": Decimal("0.6513"), "D2": Decimal("0.6513"), "D3": Decimal("0.6513"),
                                       "D4": Decimal("0.6504")}
    assert result.overall == Decimal("0.6510")  # not 0.6511, the mean of the rounded indices


def test_record_rules_read_the_villages_records(users):
    today = timezone.localdate()
    village = "35.11.01.2001"
    assert records.psks_active_types(village_code=village, as_of=today) == records.RecordResult(
        Decimal(0), "0 dari 12 jenis PSKS aktif tercatat di desa", 1)
    for kind, active in (("karang_taruna", True), ("tagana", True), ("psm", False), ("lainnya", True),
                         ("karang_taruna", True)):
        SocialPillar.objects.create(village_id=village, kind=kind, name=kind, active=active)
    assert records.psks_active_types(village_code=village, as_of=today).score == 2  # 2 official types active
    freshness = records.ppks_freshness(village_code=village, as_of=today)
    assert (freshness.value, freshness.score) == (None, 1)
    assert records.ppks_served_share(village_code=village, as_of=today).score is None

    served = register(users["pensosmas"], submit=True)
    ppks_services.registration_transition(registration=served, action="verify", actor=users["regency"])
    referral = send(users, [served])[0]
    referral_services.referral_service_record(referral=referral, actor=users["unit"], service_date=today,
                                              service_type=ServiceRecord.ServiceType.SOCIAL_ASSISTANCE)
    register(users["pensosmas"], submit=True, name="Budi Santoso", nik="3511011006800001", sex="L",
             birth_date=None, kk_number="")
    register(users["pensosmas"], submit=False, name="Draf Saja", nik="3511011006800002", sex="L",
             birth_date=None, kk_number="")
    freshness = records.ppks_freshness(village_code=village, as_of=today)
    assert (freshness.value, freshness.score) == (Decimal("0.0"), 4)  # 5 needs a DTKS/DTSEN proposal on record
    share = records.ppks_served_share(village_code=village, as_of=today)
    assert (share.value, share.score) == (Decimal("50.0"), 3)  # 1 of 2 registered (the draft does not count)
    assert share.description == ("1 dari 2 PPKS terdaftar dilayani atau rujukannya tuntas dalam 12 bulan terakhir "
                                 "(50,0%)")
    # As of a date before anything was registered, the records have nothing yet.
    assert records.ppks_freshness(village_code=village, as_of=today - datetime.timedelta(days=1)).score == 1
    freshness_later = records.ppks_freshness(village_code=village, as_of=today + datetime.timedelta(days=800))
    assert (freshness_later.score, freshness_later.value) == (2, Decimal("26.3"))


def test_v0_2_scores_administrative_indicators_from_records_and_keeps_the_answers_beside(users):
    village = Village.objects.get(code="35.11.01.2001")
    for kind in ("karang_taruna", "tagana", "psm", "lks", "pensosmas", "tksk"):
        SocialPillar.objects.create(village=village, kind=kind, name=kind)
    assessment = services.assessment_create(actor=users["pensosmas"], village=village, year=2026, phase="baseline")
    assert assessment.instrument.code == "IKSM-Desa v0.2"
    services.answers_replace(assessment=assessment, actor=users["pensosmas"], rows=[
        {"name": "Ibu Siti", "institution": "PKK", "answers": example_answers("r1")},
        {"name": "Pak Darmo", "institution": "LKS", "answers": example_answers("r2")}])
    assessment = services.assessment_submit(assessment=assessment, actor=users["pensosmas"])
    values = {value.indicator.code: value for value in RecordValue.objects.filter(assessment=assessment)}
    assert {code: (value.score, value.used_for_score) for code, value in values.items()} == {
        "1.1": (1, True), "1.2": (None, False), "2.1": (4, True)}
    assert values["2.1"].description == "6 dari 12 jenis PSKS aktif tercatat di desa"
    d2 = assessment.scores.get(dimension__number=2)
    # Respondents said 1 for 2.1 (mean 1); the records say 6 types active (score 4): D2 = (4+2+3+4+5-5)/20.
    assert d2.indicator_means["2.1"] == "4.0000"
    assert d2.score == Decimal("0.6500")
    # Frozen: new pillars after submission do not change the stored value.
    SocialPillar.objects.create(village=village, kind="wpks", name="WPKS")
    assert RecordValue.objects.get(assessment=assessment, indicator__code="2.1").score == 4


def test_survey_form_says_which_indicators_are_scored_from_records(client, users):
    village = Village.objects.get(code="35.11.01.2001")
    assessment = services.assessment_create(actor=users["pensosmas"], village=village, year=2026, phase="baseline")
    respondent = services.respondent_save(assessment=assessment, actor=users["pensosmas"], name="Ibu Siti",
                                          institution="PKK")
    client.force_login(users["pensosmas"])
    content = client.get(reverse("dimensions:survey", args=[assessment.pk, respondent.pk])).content.decode()
    assert content.count("Dinilai dari catatan aplikasi") == 3
    assert "0 dari 12 jenis PSKS aktif tercatat di desa" in content
    assert Assessment.objects.get().status == "draft"
