"""Date ranges of the clinic's schedule (API `?from=&to=`, the day and week pages).

Calendar arithmetic only: which days a page or a list covers. No medical rule lives here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from ketacare.clinical.inputs import YEAR_MAXIMUM, YEAR_MINIMUM

# The longest range one schedule read may cover; longer reads are paged by date instead.
MAXIMUM_RANGE_DAYS = 366
DAYS_PER_WEEK = 7


@dataclass(frozen=True, slots=True)
class ScheduleRange:
    """From `first` to `last`, both included; either may be open (None) for a patient's list."""

    first: dt.date | None
    last: dt.date | None


def schedule_range(
    first: dt.date | None, last: dt.date | None, *, default_days: int | None
) -> ScheduleRange:
    """The range asked for. With `default_days`, a missing `from` is today and a missing `to` is
    `default_days` days from `from`; without, missing ends stay open. `to` before `from`, or a
    range over MAXIMUM_RANGE_DAYS, is a ValidationError naming `to`; a date outside the years the
    clinical core accepts, one naming `from` or `to`."""
    check_year(first, "from")
    check_year(last, "to")
    if default_days is not None:
        first = first or timezone.localdate()
        last = last or first + dt.timedelta(days=default_days - 1)
    if first is not None and last is not None:
        if last < first:
            raise ValidationError({"to": "Give a date on or after `from`."}, code="invalid")
        if (last - first).days >= MAXIMUM_RANGE_DAYS:
            raise ValidationError(
                {"to": f"Ask for at most {MAXIMUM_RANGE_DAYS} days at a time."}, code="invalid"
            )
    return ScheduleRange(first, last)


def validate_year(day: dt.date) -> None:
    """A ValidationError for a date outside YEAR_MINIMUM to YEAR_MAXIMUM (a form field's
    validator): such a date holds no session, and the day before or the week after it may not
    exist in Python."""
    if not YEAR_MINIMUM <= day.year <= YEAR_MAXIMUM:
        raise ValidationError(
            f"Give a date in the years {YEAR_MINIMUM} to {YEAR_MAXIMUM}.", code="invalid"
        )


def check_year(day: dt.date | None, field: str) -> None:
    """`validate_year` with the error naming `field`."""
    if day is not None:
        try:
            validate_year(day)
        except ValidationError as error:
            raise ValidationError({field: error.messages}, code="invalid") from None


def week_of(day: dt.date) -> tuple[dt.date, ...]:
    """The seven days, Monday first, of the week holding `day`."""
    monday = day - dt.timedelta(days=day.weekday())
    return tuple(monday + dt.timedelta(days=i) for i in range(DAYS_PER_WEEK))
