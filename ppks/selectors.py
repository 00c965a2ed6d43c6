"""Reads of the PPKS registry, always through ``visible_to``."""

import datetime

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, DateTimeField, ExpressionWrapper, F, QuerySet, Value
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from accounts.scoping import visible_to
from config.caching import cached_aggregate
from config.rows import Row
from ppks.filters import RegistrationFilterSet, filter_nik
from ppks.history import describe
from ppks.models import Category, DuplicateCandidate, Person, PersonHistory, PersonMerge, Registration, Sex
from ppks.nik import mask_nik
from ppks.reference import reference

LIST_COUNT_CAP = 10_000


def registration_base(user, *, within: str = "", lean: bool = False) -> QuerySet:
    """The registrations ``user`` may see (narrowed to region ``within`` as one condition, see ``visible_to``).

    ``lean`` selects no related objects: the lists read their rows with ``values()`` (``LIST_VALUES``,
    joining only the person, village and kecamatan they show) and take categories and directorates
    from memory (``ppks.reference``).
    """
    queryset = visible_to(user, Registration.objects.all(), within=within)
    if lean:
        return queryset
    return queryset.select_related("person__village", "category", "village__district", "directorate")


def registration_list(*, user, filters=None, nik: str = "", lean: bool = False) -> RegistrationFilterSet:
    """The filtered registrations the user may see; the FilterSet carries form errors for the page.

    ``nik`` (a NIK or No. KK, never taken from a URL) narrows the list to that person or family.
    """
    filters = filters if filters is not None else {}
    queryset = registration_base(user, within=filters.get("region") or "", lean=lean)
    if nik:
        queryset = filter_nik(queryset, nik)
    return RegistrationFilterSet(filters, queryset=queryset)


# What the list pages show of a registration and its person: the only columns their query reads.
LIST_VALUES = (
    "id", "status", "created_at", "submitted_at", "category_id", "directorate_id", "village_id",
    "village__name", "village__district__name",
    "person__name", "person__sex", "person__birth_date", "person__nik", "person__nik_status",
    "person__rt", "person__rw", "person__dusun",
)


def _url_pattern(name: str) -> str:
    """The URL of ``name`` with ``{}`` where the primary key goes: one ``reverse`` per page, not per row."""
    marker = 987654321
    return reverse(name, kwargs={"pk": marker}).replace(str(marker), "{}")


# Dates a list may be ordered by that have an index PostgreSQL can walk in that order.
WALKABLE_DATES = ("created_at", "submitted_at")


def _sorted_not_walked(ordering) -> list:
    """``ordering`` with its indexed dates written as ``date + interval '0'``: the same order, which no index
    serves, so PostgreSQL sorts the matching rows instead of walking the date's index for them."""
    written = []
    for item in ordering:
        name = item.lstrip("-") if isinstance(item, str) else ""
        if name in WALKABLE_DATES:
            expression = ExpressionWrapper(F(name) + Value(datetime.timedelta(0)), output_field=DateTimeField())
            item = expression.desc() if item.startswith("-") else expression.asc()
        written.append(item)
    return written


def registration_page_rows(registrations: QuerySet, *, few: bool = False) -> list[Row]:
    """The rows of one list page; ``registrations`` is the page's slice (scope, filters, order, offset).

    The page's ids are chosen in a subquery on the registrations alone (with only the joins its
    filters need), then just those rows are joined to person, village and kecamatan. Asked in one
    query with the joins, PostgreSQL weighed the joins of every matching row against walking the
    ``created_at`` index and walked it through 66,000 rows to fill a page of a kecamatan (540 ms);
    the narrow subquery plans in ~2 ms and picks the region index when the region is small.

    ``few`` (the capped count found no more than ``LIST_COUNT_CAP`` rows) has the subquery sort those
    rows: otherwise PostgreSQL, estimating a date index walk as cheaper than reading them at random,
    walked ``created_at`` backwards through ~20,000 registrations of other regions to fill a page of
    Kab. Bondowoso's 2,630 (45 ms against 2 ms; 1M registrations). Above the cap the matches are at
    least 1% of the table and the walk finds a page within a few thousand rows.
    """
    ordering = registrations.query.order_by or Registration._meta.ordering
    page_ids = registrations.values("pk")
    if few:
        page_ids.query.clear_ordering(force=True)
        page_ids.query.add_ordering(*_sorted_not_walked(ordering))
    return registration_rows(Registration.objects.filter(pk__in=page_ids).order_by(*ordering).values(*LIST_VALUES))


def registration_rows(values) -> list[Row]:
    """Rows for the list templates from ``values(*LIST_VALUES)`` dictionaries, keyed like a Registration.

    ``row.person.name``, ``row.village.district.name``, ``row.category.code``, ``row.get_status_display``
    and ``row.get_absolute_url`` read as they did on model instances; the NIK is masked here. Labels
    are translated once per page; categories and directorates come from memory, not joins.
    """
    values = list(values)
    if not values:
        return []
    known = reference()
    statuses = {value: str(label) for value, label in Registration.Status.choices}
    sexes = {value: str(label) for value, label in Sex.choices}
    nik_statuses = {value: str(label) for value, label in Person.NikStatus.choices}
    categories = {pk: Row(code=category.code, label=category.label) for pk, category in known.categories.items()}
    directorates = {pk: Row(code=directorate.code, name=directorate.name)
                    for pk, directorate in known.directorates.items()}
    url = _url_pattern("ppks:registration-detail")
    rows = []
    for row in values:
        rows.append(Row({
            "pk": row["id"],
            "id": row["id"],
            "get_absolute_url": url.format(row["id"]),
            "status": row["status"],
            "get_status_display": statuses.get(row["status"], row["status"]),
            "created_at": row["created_at"],
            "submitted_at": row["submitted_at"],
            "category": categories.get(row["category_id"]),
            "directorate": directorates.get(row["directorate_id"]),
            "village": Row(code=row["village_id"], name=row["village__name"],
                           district=Row(name=row["village__district__name"])),
            "person": Row({
                "name": row["person__name"],
                "get_sex_display": sexes.get(row["person__sex"], ""),
                "birth_date": row["person__birth_date"],
                "nik": mask_nik(row["person__nik"]),
                "get_nik_status_display": nik_statuses.get(row["person__nik_status"], ""),
                "rt_rw": "{}/{}".format(row["person__rt"] or "-", row["person__rw"] or "-"),
                "dusun": row["person__dusun"],
            }),
        }))
    return rows


def count_capped(queryset: QuerySet, cap: int = LIST_COUNT_CAP) -> tuple[int, bool]:
    """Count up to ``cap`` rows (a bounded query even on millions): (count, whether there are more)."""
    count = queryset.order_by()[: cap + 1].count()
    return min(count, cap), count > cap


class CappedPaginator(Paginator):
    """Page numbers over a count capped at ``LIST_COUNT_CAP``: no exact COUNT over a national table.

    ``more`` tells whether rows lie beyond the cap; pages past it are not offered (narrow the filters).
    """

    more = False

    @cached_property
    def count(self) -> int:
        count, self.more = count_capped(self.object_list)
        return count


def registration_status_counts(user) -> list[tuple[str, str, int]]:
    """(status, label, registrations) in the user's scope, in workflow order; cached per scope (dashboards)."""

    def compute() -> list[tuple[str, str, int]]:
        totals = dict(visible_to(user, Registration.objects.all()).order_by().values_list("status")
                      .annotate(total=Count("pk")))
        return [(status, label, totals.get(status, 0)) for status, label in Registration.Status.choices]

    return cached_aggregate("registration-status", user=user, domains=("ppks",), compute=compute)


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


HISTORY_SHOWN = 50


def person_history(*, person: Person, limit: int = HISTORY_SHOWN) -> list[dict]:
    """The latest field changes of a person and their registrations, ready for the person page.

    The caller has already fetched ``person`` through ``person_get`` (so it is in scope). NIK
    values are masked in storage; redacted values read "(dihapus)". Two to three queries.
    """
    entries = list(PersonHistory.objects.filter(person_id=person.pk).select_related("actor")[:limit])
    return describe(entries)


def verification_queue(*, user, lean: bool = False) -> QuerySet:
    """Submitted registrations awaiting Dinas Sosial, oldest first."""
    return (registration_base(user, lean=lean).filter(status=Registration.Status.SUBMITTED)
            .order_by("submitted_at", "pk"))


def duplicate_queue(*, user) -> QuerySet:
    """Open duplicate pairs where both people lie in the user's scope."""
    visible_people = visible_to(user, Person.objects.all()).values("pk")
    return (
        visible_to(user, DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.OPEN))
        .filter(other__in=visible_people)
        .select_related("person__village", "other__village")
    )


def duplicate_get(*, user, pk: int) -> DuplicateCandidate:
    """An open pair in the user's scope (both people visible), or 404."""
    candidate = duplicate_queue(user=user).filter(pk=pk).first()
    if candidate is None:
        raise Http404
    return candidate


def merges_undoable(*, user, person: Person) -> list[PersonMerge]:
    """Merges into ``person`` that staff may still undo (within SIDBS_MERGE_UNDO_HOURS), newest first."""
    if person.merged_into_id or person.is_anonymised:
        return []
    since = timezone.now() - datetime.timedelta(hours=settings.SIDBS_MERGE_UNDO_HOURS)
    return list(PersonMerge.objects.filter(kept=person, undone_at__isnull=True, merged_at__gte=since)
                .select_related("merged").order_by("-merged_at"))


def duplicates_visible(*, user, matches: list[tuple[Person, str]]) -> list[tuple[Person, str]]:
    """The ``duplicates_find`` matches inside the user's region; people elsewhere are never shown to them."""
    visible = set(visible_to(user, Person.objects.filter(pk__in=[person.pk for person, _reason in matches]))
                  .values_list("pk", flat=True))
    return [(person, reason) for person, reason in matches if person.pk in visible]


def categories_with_directorates() -> QuerySet:
    return Category.objects.current().prefetch_related("assignments__directorate")


TASKS_SHOWN = 20


def registrations_to_finish(*, user, limit: int = TASKS_SHOWN) -> dict:
    """The Pensosmas' open work in their scope, newest first: drafts to finish and registrations rejected
    (with the reason); ``*_more`` tells whether there are more than ``limit`` (two queries, whatever the count)."""
    queryset = registration_base(user).order_by("-created_at", "-id")
    tasks = {}
    for name, status in (("drafts", Registration.Status.DRAFT), ("rejected", Registration.Status.REJECTED)):
        rows = list(queryset.filter(status=status)[: limit + 1])
        tasks[name], tasks[name + "_more"] = rows[:limit], len(rows) > limit
    return tasks
