"""Reads of the PPKS registry, always through ``visible_to``."""

from django.db.models import QuerySet
from django.http import Http404

from accounts.scoping import visible_to
from ppks.filters import RegistrationFilterSet
from ppks.models import Category, DuplicateCandidate, Person, Registration

LIST_COUNT_CAP = 10_000


def registration_base(user) -> QuerySet:
    return visible_to(user, Registration.objects.all()).select_related(
        "person", "category", "village__district", "directorate"
    )


def registration_list(*, user, filters=None) -> RegistrationFilterSet:
    """The filtered registrations the user may see; the FilterSet carries form errors for the page."""
    return RegistrationFilterSet(filters if filters is not None else {}, queryset=registration_base(user))


def count_capped(queryset: QuerySet, cap: int = LIST_COUNT_CAP) -> tuple[int, bool]:
    """Count up to ``cap`` rows (a bounded query even on millions): (count, whether there are more)."""
    count = queryset.order_by()[: cap + 1].count()
    return min(count, cap), count > cap


def registration_get(*, user, pk: int) -> Registration:
    registration = registration_base(user).select_related("verified_by", "created_by").filter(pk=pk).first()
    if registration is None:
        raise Http404
    return registration


def person_get(*, user, pk: int) -> Person:
    person = (
        visible_to(user, Person.objects.all())
        .select_related("village__district__regency", "merged_into")
        .filter(pk=pk)
        .first()
    )
    if person is None:
        raise Http404
    return person


def verification_queue(*, user) -> QuerySet:
    """Submitted registrations awaiting Dinas Sosial, oldest first."""
    return registration_base(user).filter(status=Registration.Status.SUBMITTED).order_by("submitted_at", "pk")


def duplicate_queue(*, user) -> QuerySet:
    """Open duplicate pairs where both people lie in the user's scope."""
    visible_people = visible_to(user, Person.objects.all()).values("pk")
    return (
        visible_to(user, DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.OPEN))
        .filter(other__in=visible_people)
        .select_related("person__village", "other__village")
    )


def categories_with_directorates() -> QuerySet:
    return Category.objects.current().prefetch_related("assignments__directorate")
