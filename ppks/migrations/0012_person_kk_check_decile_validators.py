"""No. KK: ASCII digits only (a database check like NIK's), masked in the field history; DTSEN desil 1–10 in forms.

Before the check is added, stored No. KK values written with other digits (Arabic-Indic, full-width)
are rewritten with ASCII digits, and any value that is still not 16 digits is cleared (the history
keeps the change, masked). The history triggers are reinstalled with No. KK masked, and the No. KK
values the history already holds are masked like NIK's.
"""

import unicodedata

import django.core.validators
from django.db import migrations, models

from config.migration_operations import AddCheckConstraintNotValid
from ppks import history

COLUMNS = {
    "ppks_person": [
        "id", "nik", "nik_status", "kk_number", "name", "name_key", "birth_place", "birth_date", "sex", "village_id",
        "dusun", "rt", "rw", "street_address", "phone", "disability", "dtsen_decile", "dtsen_decile_as_of",
        "merged_into_id", "anonymised_at", "created_by_id", "created_at", "updated_at",
    ],
    "ppks_registration": [
        "id", "person_id", "category_id", "village_id", "status", "needs", "assessed_on", "directorate_id",
        "rejection_reason", "client_uuid", "created_by_id", "created_at", "updated_at", "submitted_at",
        "verified_at", "verified_by_id", "referred_at", "served_at", "closed_at",
    ],
}


def _ascii(value: str) -> str:
    return "".join(str(unicodedata.digit(character, "")) if not character.isascii() else character
                   for character in value)


def _mask(value):
    if not isinstance(value, str) or not value:
        return value
    return value[:4] + "*" * max(len(value) - 8, 0) + value[-4:]


def kk_ascii(apps, schema_editor):
    Person = apps.get_model("ppks", "Person")
    for person in Person.objects.exclude(kk_number="").exclude(kk_number__regex=r"^[0-9]{16}$").only("kk_number"):
        fixed = _ascii(person.kk_number.replace(" ", ""))
        person.kk_number = fixed if len(fixed) == 16 and fixed.isascii() and fixed.isdigit() else ""
        person.save(update_fields=["kk_number"])


def kk_history_masked(apps, schema_editor):
    PersonHistory = apps.get_model("ppks", "PersonHistory")
    changed = []
    for entry in PersonHistory.objects.filter(table_name="ppks_person", changes__has_key="kk_number").iterator():
        values = entry.changes["kk_number"]
        if not isinstance(values, dict) or values.get("redacted"):
            continue
        masked = {key: _mask(value) if key in ("old", "new") else value for key, value in values.items()}
        if masked != values:
            entry.changes = {**entry.changes, "kk_number": masked}
            changed.append(entry)
    PersonHistory.objects.bulk_update(changed, ["changes"], batch_size=500)


class Migration(migrations.Migration):

    atomic = False  # the check is added NOT VALID and validated apart, so writes go on (PostgreSQL)

    dependencies = [
        ("ppks", "0011_units_routes_referral_backfill"),
    ]

    operations = [
        migrations.RunPython(kk_ascii, migrations.RunPython.noop, elidable=False, atomic=True),
        migrations.AlterField(
            model_name="person",
            name="dtsen_decile",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="desil DTSEN",
                validators=[django.core.validators.MinValueValidator(1, "Desil DTSEN harus 1 sampai 10."),
                            django.core.validators.MaxValueValidator(10, "Desil DTSEN harus 1 sampai 10.")],
            ),
        ),
        AddCheckConstraintNotValid(
            model_name="person",
            constraint=models.CheckConstraint(
                condition=models.Q(("kk_number", ""), ("kk_number__regex", "^[0-9]{16}$"), _connector="OR"),
                name="person_kk_sixteen_digits", violation_error_message="No. KK harus 16 digit angka.",
            ),
        ),
        # SQLite rebuilt the table for the constraint (dropping its triggers): install them again, with No. KK
        # masked, then mask what the history already holds (including the corrections made above).
        history.install_operation(COLUMNS),
        migrations.RunPython(kk_history_masked, migrations.RunPython.noop, elidable=False, atomic=True),
    ]
