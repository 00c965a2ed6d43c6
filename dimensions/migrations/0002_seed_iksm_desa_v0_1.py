"""Seed the PROPOSED instrument IKSM-Desa v0.1: four dimensions, twenty indicators (DOMAIN.md §2.2)."""

import datetime
from decimal import Decimal

from django.db import migrations

from dimensions.instrument_data import DIMENSIONS, INSTRUMENT


def seed(apps, schema_editor):
    Instrument = apps.get_model("dimensions", "Instrument")
    Dimension = apps.get_model("dimensions", "Dimension")
    Indicator = apps.get_model("dimensions", "Indicator")
    instrument, _created = Instrument.objects.update_or_create(
        code=INSTRUMENT["code"],
        defaults={
            "name": INSTRUMENT["name"], "valid_from": datetime.date(2026, 1, 1), "is_active": True,
            "band_sedang_from": Decimal(INSTRUMENT["band_sedang_from"]),
            "band_tinggi_from": Decimal(INSTRUMENT["band_tinggi_from"]),
            "weak_point_below": Decimal(INSTRUMENT["weak_point_below"]),
        },
    )
    for number, code, name, indicators in DIMENSIONS:
        dimension, _created = Dimension.objects.update_or_create(
            instrument=instrument, number=number, defaults={"code": code, "name": name}
        )
        for indicator_code, source, text, guidance in indicators:
            Indicator.objects.update_or_create(
                dimension=dimension, code=indicator_code,
                defaults={"source": source, "text": text, "guidance": guidance, "scale_min": 1, "scale_max": 5},
            )


def unseed(apps, schema_editor):
    apps.get_model("dimensions", "Instrument").objects.filter(code=INSTRUMENT["code"], assessments=None).delete()


class Migration(migrations.Migration):
    dependencies = [("dimensions", "0001_instrument_and_assessments")]

    operations = [migrations.RunPython(seed, unseed)]
