"""Printable forms for paper fieldwork: the blank PPKS registration form, the blank survey questionnaire of the
active instrument version, and one person's case sheet.

The blank forms follow what the application asks (the categories in force, the disability and NIK-status
choices, the import columns' hints; the instrument's dimensions, indicators, scales and guidance), so what is
written on paper can be typed in or imported as it is. The case sheet is scoped (``person_get``), shows NIK
and No. KK masked (``FULL_NIK["page"]``: nobody sees them in full on a page) and is audited like other
downloads. All three are rendered with the report stylesheet and stamped with "Halaman X dari Y".
"""

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.offices import office_of, office_snapshot
from accounts.services import audit_record
from ppks.models import Category, Person, Registration
from ppks.nik import mask_nik
from ppks.permissions import can_register, can_verify
from reports.rendering import merge_with_footer, render_pdf
from reports.selectors import NATIONAL_KOP

NIK_BOXES = range(16)


def _kop(user) -> dict:
    office = office_of(user)
    return office_snapshot(office) if office is not None else NATIONAL_KOP


def _stamped(template: str, context: dict, *, footer: str) -> bytes:
    content, _pages = merge_with_footer([render_pdf(template, context)], footer_left=footer)
    return content


def blank_registration_form(*, user) -> bytes:
    """The PPKS registration form to fill in by hand: identity, address, NIK status, category, needs."""
    categories = list(Category.objects.current().order_by("order_no", "code").values("code", "name"))
    return _stamped("reports/pdf/form_registration.html", {
        "kop": _kop(user), "categories": categories, "nik_boxes": NIK_BOXES,
        "nik_statuses": [label for value, label in Person.NikStatus.choices if value != Person.NikStatus.RECORDED],
        "disabilities": [label for value, label in Person.Disability.choices if value],
        "rt_boxes": range(3),
    }, footer=_("Formulir pendaftaran PPKS · dicetak {date}").format(date=timezone.localdate().strftime("%d-%m-%Y")))


def blank_questionnaire(*, user, instrument=None) -> bytes:
    """The survey questionnaire of ``instrument`` (the active version by default), one scale row per indicator."""
    from dimensions.models import Assessment
    from dimensions.services import active_instrument

    instrument = instrument or active_instrument()
    dimensions = list(instrument.dimensions.prefetch_related("indicators").order_by("number"))
    for dimension in dimensions:
        dimension.rows = [
            {"indicator": indicator, "scale": range(indicator.scale_min, indicator.scale_max + 1)}
            for indicator in dimension.indicators.all()
        ]
    return _stamped("reports/pdf/form_questionnaire.html", {
        "kop": _kop(user), "instrument": instrument, "dimensions": dimensions, "respondent_rows": range(6),
        "phases": [label for _value, label in Assessment.Phase.choices],
    }, footer=_("Kuesioner {code} · dicetak {date}").format(
        code=instrument.code, date=timezone.localdate().strftime("%d-%m-%Y")))


def case_sheet(*, person: Person, actor, request=None) -> bytes:
    """One person's case sheet (identity masked, registrations, their history and referrals); audited.

    ``person`` comes from ``person_get(user=actor, ...)``, so it lies in the actor's scope.
    """
    if not (can_register(actor) or can_verify(actor)):
        raise PermissionDenied(_("Peran Anda tidak dapat mencetak lembar kasus."))
    registrations = list(
        Registration.objects.filter(person=person)
        .select_related("category", "village__district", "directorate", "verified_by")
        .prefetch_related("events__actor", "referrals__unit")
        .order_by("created_at", "pk")
    )
    village = person.village
    content = _stamped("reports/pdf/case_sheet.html", {
        "kop": _kop(actor), "person": person, "nik_masked": mask_nik(person.nik),
        "kk_masked": mask_nik(person.kk_number), "registrations": registrations,
        "village": village, "district": village.district, "regency": village.district.regency,
        "printed_at": timezone.localtime(), "note_lines": range(6),
    }, footer=_("Lembar kasus orang #{pk} · RAHASIA").format(pk=person.pk))
    audit_record(actor=actor, action="ppks.person.case_sheet", obj=person, request=request,
                 detail={"registrations": len(registrations), "nik": "masked"})
    return content
