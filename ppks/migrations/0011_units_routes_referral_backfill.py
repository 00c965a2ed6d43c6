"""Reference data of the referral loop, and referrals for what was sent before it existed.

- One receiving unit per Ditjen (its head office), so every letter has an addressee unit.
- Legacy PMKS names (WRSE, RTLH, keluarga muda miskin) as legacy categories, and the programme's shared
  routes: FM, PRSE and those legacy categories go to both Dayasos and Linjamsos (DOMAIN.md §8).
- A ``Referral`` for each registration already referred, served or closed, addressed to its Ditjen.
"""

import datetime

from django.db import migrations

from ppks.categories_data import LEGACY_CATEGORIES, SHARED_ROUTES

ASSIGNED_FROM = datetime.date(2022, 1, 1)
REFERRAL_STATE = {"referred": "sent", "served": "in_service", "closed": "closed"}


def forward(apps, schema_editor):
    Directorate = apps.get_model("ppks", "Directorate")
    Category = apps.get_model("ppks", "Category")
    CategoryDirectorate = apps.get_model("ppks", "CategoryDirectorate")
    ServiceUnit = apps.get_model("ppks", "ServiceUnit")
    Referral = apps.get_model("ppks", "Referral")
    ReferralBatch = apps.get_model("ppks", "ReferralBatch")
    Registration = apps.get_model("ppks", "Registration")

    heads = {}
    for directorate in Directorate.objects.all():
        heads[directorate.pk], _created = ServiceUnit.objects.get_or_create(
            directorate=directorate, kind="ditjen", parent=None,
            defaults={"name": directorate.name, "needs_full_nik": True},
        )
    for row in LEGACY_CATEGORIES:
        values = {key: value for key, value in row.items() if key not in {"code", "superseded_by"}}
        Category.objects.update_or_create(
            code=row["code"],
            defaults={**values, "is_legacy": True, "superseded_by": Category.objects.get(code=row["superseded_by"]),
                      "legal_basis": "Panduan Pendataan PMKS 2007 (lama)"},
        )
    directorates = {directorate.code: directorate for directorate in Directorate.objects.all()}
    for code, routes in SHARED_ROUTES.items():
        category = Category.objects.get(code=code)
        for directorate_code in routes:
            CategoryDirectorate.objects.get_or_create(
                category=category, directorate=directorates[directorate_code], valid_from=ASSIGNED_FROM,
            )

    batched = set()
    for batch in ReferralBatch.objects.all():
        for registration in batch.registrations.filter(status__in=REFERRAL_STATE):
            batched.add(registration.pk)
            _referral_for(Referral, registration, heads, batch=batch, directorate_id=batch.directorate_id,
                          sent_at=batch.created_at, created_by_id=batch.created_by_id)
    for registration in Registration.objects.filter(status__in=REFERRAL_STATE).exclude(pk__in=batched):
        if registration.directorate_id is None:
            continue
        _referral_for(Referral, registration, heads, batch=None, directorate_id=registration.directorate_id,
                      sent_at=registration.referred_at or registration.updated_at,
                      created_by_id=registration.verified_by_id or registration.created_by_id)


def _referral_for(Referral, registration, heads, *, batch, directorate_id, sent_at, created_by_id):
    if created_by_id is None or Referral.objects.filter(registration=registration,
                                                         directorate_id=directorate_id).exists():
        return
    state = REFERRAL_STATE[registration.status]
    Referral.objects.create(
        registration=registration, batch=batch, directorate_id=directorate_id, unit=heads[directorate_id],
        state=state, sent_at=sent_at, created_by_id=created_by_id,
        answered_at=registration.served_at if state != "sent" else None,
        closed_at=registration.closed_at if state == "closed" else None,
        outcome="completed" if state == "closed" else "",
    )


def backward(apps, schema_editor):
    apps.get_model("ppks", "Referral").objects.all().delete()
    apps.get_model("ppks", "ServiceUnit").objects.filter(kind="ditjen", parent=None).delete()
    Category = apps.get_model("ppks", "Category")
    CategoryDirectorate = apps.get_model("ppks", "CategoryDirectorate")
    for code, routes in SHARED_ROUTES.items():
        CategoryDirectorate.objects.filter(category__code=code, directorate__code__in=routes[1:],
                                           valid_from=ASSIGNED_FROM).delete()
    legacy = [row["code"] for row in LEGACY_CATEGORIES]
    CategoryDirectorate.objects.filter(category__code__in=legacy).delete()
    Category.objects.filter(code__in=legacy, registrations__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [("ppks", "0010_referral_loop")]

    operations = [migrations.RunPython(forward, backward)]
