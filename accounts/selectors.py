"""Reads of accounts data: the audit log for administrators."""

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.filters import AuditEventFilterSet
from accounts.models import AuditEvent

AUDIT_PAGE_SIZE = 50
AUDIT_MAX_PAGE = 2000


def audit_event_list(*, filters=None) -> AuditEventFilterSet:
    """Audit events, newest first, with the actor; the FilterSet carries form errors for the page."""
    queryset = AuditEvent.objects.select_related("actor").order_by("-occurred_at", "-pk")
    return AuditEventFilterSet(filters if filters is not None else {}, queryset=queryset)


@dataclass
class AuditPage:
    """One page of events, found without counting the table: ``has_next`` comes from one extra row."""

    events: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * AUDIT_PAGE_SIZE + 1 if self.events else 0

    def __iter__(self):
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)


def audit_page(queryset: QuerySet, number, page_size: int = AUDIT_PAGE_SIZE) -> AuditPage:
    """Page ``number`` (1-based; nonsense means 1) of ``queryset``, reading ``page_size + 1`` rows."""
    try:
        number = min(max(int(number), 1), AUDIT_MAX_PAGE)
    except (TypeError, ValueError):
        number = 1
    offset = (number - 1) * page_size
    rows = list(queryset[offset: offset + page_size + 1])
    return AuditPage(events=rows[:page_size], number=number, has_next=len(rows) > page_size)
