"""Weekdays as stored and as spoken.

Weekday numbers follow Python's ``date.weekday()``: 0 is Monday. The timetable format names
days ``mon`` … ``sun``; these helpers translate between the two.
"""

from django.utils.translation import gettext_lazy as _

DAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SCHOOL_DAYS = (0, 1, 2, 3, 4)
ALL_SCHOOL_DAYS_MASK = 0b0011111

WEEKDAY_CHOICES = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
WEEKDAY_SHORT = {
    0: _("Mon"),
    1: _("Tue"),
    2: _("Wed"),
    3: _("Thu"),
    4: _("Fri"),
    5: _("Sat"),
    6: _("Sun"),
}


def mask_from_days(days) -> int:
    mask = 0
    for day in days:
        day = int(day)
        if not 0 <= day <= 6:
            raise ValueError(f"weekday out of range: {day}")
        mask |= 1 << day
    return mask


def days_from_mask(mask: int) -> list[int]:
    return [day for day in range(7) if mask & (1 << day)]


def day_labels(mask: int) -> list:
    """Short translated names of the weekdays in a mask, Monday first."""
    return [WEEKDAY_SHORT[day] for day in days_from_mask(mask)]
