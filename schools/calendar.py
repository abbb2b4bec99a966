"""Teaching days of a term, and the dated sessions of a weekly timetable.

Everything that counts lessons (attendance, fees, settlement, rest claims) counts *dated
sessions*: a weekly slot on a weekday, repeated on every teaching day that follows that
weekday's timetable. The rules are pure functions over plain values so that they can be
tested and reused without the database; ``teaching_days_for`` reads the database.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q

from schools.models import CalendarDay


@dataclass(frozen=True)
class TeachingDay:
    date: date
    weekday: int  # the weekday whose timetable runs (0 = Monday)
    makeup: bool = False


def teaching_days(
    start: date,
    end: date,
    *,
    days_off: Iterable[date] = (),
    makeup_days: dict[date, int] | None = None,
    school_days: Iterable[int] = (0, 1, 2, 3, 4),
) -> list[TeachingDay]:
    """Every date from ``start`` to ``end`` (inclusive) on which the weekly timetable runs.

    A date runs when it is one of ``school_days`` and not in ``days_off`` (holidays,
    closures), or when it is a make-up working day, which follows the weekday given for it.
    A make-up day that is also a day off (a school closure on that Saturday) does not run.
    """
    off = set(days_off)
    makeup = dict(makeup_days or {})
    ordinary = set(school_days)
    result = []
    current = start
    while current <= end:
        if current in makeup and current not in off:
            result.append(TeachingDay(current, makeup[current], makeup=True))
        elif current.weekday() in ordinary and current not in off:
            result.append(TeachingDay(current, current.weekday()))
        current += timedelta(days=1)
    return result


def session_dates(days: Iterable[TeachingDay], weekday: int) -> Iterator[date]:
    """The dates on which a weekly slot held on ``weekday`` actually meets."""
    return (day.date for day in days if day.weekday == weekday)


WEEKDAYS = (0, 1, 2, 3, 4)
WEEKEND = (5, 6)


def teaching_days_for(term, school, *, weekend_days: Iterable[int] = ()) -> list[TeachingDay]:
    """Teaching days of ``term`` at ``school``, from the city-wide and the school's calendar.

    Monday to Friday run unless they are days off; ``weekend_days`` (5 Saturday, 6 Sunday)
    run too, for a school that serves on them. The caller knows the school's slot grid
    (this floor does not) and passes the weekend days its timetable uses. A make-up working
    day still follows the weekday it replaces, even on a served weekend day.
    """
    rows = CalendarDay.objects.filter(Q(school__isnull=True) | Q(school=school), term=term)
    days_off = set()
    makeup = {}
    for row in rows:
        if row.kind == CalendarDay.Kind.MAKEUP:
            makeup[row.date] = row.follows_weekday
        else:
            days_off.add(row.date)
    weekend = sorted(set(weekend_days) & set(WEEKEND))
    return teaching_days(
        term.start, term.end, days_off=days_off, makeup_days=makeup, school_days=(*WEEKDAYS, *weekend)
    )
