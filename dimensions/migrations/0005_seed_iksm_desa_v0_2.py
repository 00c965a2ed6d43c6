"""Seed IKSM-Desa v0.2: Kepmensos 12/HUK/2006 dimension titles verbatim, administrative indicators scored
from the app's records. v0.1 stays for the assessments made with it (it only shows record values beside)."""

import datetime
from decimal import Decimal

from django.db import migrations

from dimensions.instrument_data import (
    DIMENSIONS,
    INSTRUMENT,
    INSTRUMENT_V0_2,
    KEPMENSOS_12_HUK_2006_DIMENSIONS,
    RECORD_RULES,
)


def seed(apps, schema_editor):
    Instrument = apps.get_model("dimensions", "Instrument")
    Dimension = apps.get_model("dimensions", "Dimension")
    Indicator = apps.get_model("dimensions", "Indicator")
    for code, rule in RECORD_RULES.items():
        Indicator.objects.filter(dimension__instrument__code=INSTRUMENT["code"], code=code).update(record_rule=rule)
    Instrument.objects.filter(code=INSTRUMENT["code"]).update(is_active=False)
    instrument, _created = Instrument.objects.update_or_create(
        code=INSTRUMENT_V0_2["code"],
        defaults={
            "name": INSTRUMENT_V0_2["name"], "valid_from": datetime.date.fromisoformat(INSTRUMENT_V0_2["valid_from"]),
            "is_active": True,
            "band_sedang_from": Decimal(INSTRUMENT_V0_2["band_sedang_from"]),
            "band_tinggi_from": Decimal(INSTRUMENT_V0_2["band_tinggi_from"]),
            "weak_point_below": Decimal(INSTRUMENT_V0_2["weak_point_below"]),
        },
    )
    for number, code, _paraphrase, indicators in DIMENSIONS:
        dimension, _created = Dimension.objects.update_or_create(
            instrument=instrument, number=number,
            defaults={"code": code, "name": KEPMENSOS_12_HUK_2006_DIMENSIONS[number]},
        )
        for indicator_code, source, text, guidance in indicators:
            rule = RECORD_RULES.get(indicator_code, "")
            Indicator.objects.update_or_create(
                dimension=dimension, code=indicator_code,
                defaults={"source": source, "text": text, "guidance": guidance, "scale_min": 1, "scale_max": 5,
                          "record_rule": rule, "scored_from": "records" if rule else "respondents"},
            )


def unseed(apps, schema_editor):
    Instrument = apps.get_model("dimensions", "Instrument")
    if Instrument.objects.filter(code=INSTRUMENT_V0_2["code"], assessments=None).delete()[0]:
        Instrument.objects.filter(code=INSTRUMENT["code"]).update(is_active=True)
    apps.get_model("dimensions", "Indicator").objects.filter(
        dimension__instrument__code=INSTRUMENT["code"]).update(record_rule="")


class Migration(migrations.Migration):
    dependencies = [("dimensions", "0004_indicator_record_rules_and_record_values")]

    operations = [migrations.RunPython(seed, unseed)]
