"""The calendar of the demo data (seed_demo_* and generate_demo_data): every demo event lies in the past.

The demo programme year is the current year from 25 November on, else the year before, so a full
cycle dated January to 24 November of that year has already happened whenever ``make run`` is used.
Events are dated by the services' ``at``/date arguments, never by patching the clock.
"""

import datetime

from django.utils import timezone

LAST_DEMO_DAY = (11, 24)


def demo_year(today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    return today.year if (today.month, today.day) > LAST_DEMO_DAY else today.year - 1


def demo_moment(year: int, month: int, day: int, hour: int = 9) -> datetime.datetime:
    """A time of day in the project's time zone (WIB)."""
    return datetime.datetime(year, month, day, hour, tzinfo=timezone.get_current_timezone())
