"""Teaching days of a term and the dated sessions of weekly slots (``schools.calendar``)."""

import datetime

import pytest

from schools.calendar import TeachingDay, session_dates, teaching_days, teaching_days_for
from schools.models import CalendarDay
from tests import factories as f

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

D = datetime.date

# The 2026 autumn term as the factories define it: Tue 1 Sep 2026 – Fri 22 Jan 2027.
TERM_START = D(2026, 9, 1)
TERM_END = D(2027, 1, 22)
# National Day: Thu 1 – Wed 7 Oct off; Sun 27 Sep and Sat 10 Oct are worked instead,
# following Monday's and Friday's timetables. Mid-Autumn on Fri 25 Sep and New Year's Day
# on Fri 1 Jan 2027 are holidays too.
HOLIDAYS = [D(2026, 9, 25), *(D(2026, 10, day) for day in range(1, 8)), D(2027, 1, 1)]
MAKEUP = {D(2026, 9, 27): MON, D(2026, 10, 10): FRI}


def dates(days):
    return [day.date for day in days]


def test_ordinary_weekdays():
    # Sat 5 Sep – Sun 13 Sep 2026: one full school week between two weekends.
    days = teaching_days(D(2026, 9, 5), D(2026, 9, 13))
    assert days == [TeachingDay(D(2026, 9, 7 + i), i) for i in range(5)]
    assert not any(day.makeup for day in days)
    assert list(session_dates(days, WED)) == [D(2026, 9, 9)]
    assert list(session_dates(days, SAT)) == []


def test_start_and_end_are_included():
    days = teaching_days(D(2026, 9, 7), D(2026, 9, 7))
    assert days == [TeachingDay(D(2026, 9, 7), MON)]


def test_holiday_on_a_wednesday_removes_that_date():
    days = teaching_days(D(2026, 9, 7), D(2026, 9, 18), days_off=[D(2026, 9, 9)])
    assert D(2026, 9, 9) not in dates(days)
    assert list(session_dates(days, WED)) == [D(2026, 9, 16)]
    assert list(session_dates(days, THU)) == [D(2026, 9, 10), D(2026, 9, 17)]
    assert len(days) == 9


def test_makeup_saturday_follows_fridays_timetable():
    # The week of National Day 2026: Mon 5 – Wed 7 Oct off, Sat 10 Oct worked.
    days = teaching_days(
        D(2026, 10, 5),
        D(2026, 10, 11),
        days_off=[D(2026, 10, day) for day in range(1, 8)],
        makeup_days={D(2026, 10, 10): FRI},
    )
    assert days == [
        TeachingDay(D(2026, 10, 8), THU),
        TeachingDay(D(2026, 10, 9), FRI),
        TeachingDay(D(2026, 10, 10), FRI, makeup=True),
    ]
    assert list(session_dates(days, FRI)) == [D(2026, 10, 9), D(2026, 10, 10)]
    # A Saturday slot (if a school had one) does not meet on the make-up day.
    assert list(session_dates(days, SAT)) == []


def test_makeup_day_that_is_also_a_closure_does_not_run():
    days = teaching_days(
        D(2026, 10, 5),
        D(2026, 10, 11),
        days_off=[D(2026, 10, 10)],
        makeup_days={D(2026, 10, 10): FRI},
    )
    assert D(2026, 10, 10) not in dates(days)
    assert list(session_dates(days, FRI)) == [D(2026, 10, 9)]


def test_school_days_limit_the_ordinary_weekdays():
    days = teaching_days(
        D(2026, 9, 7),
        D(2026, 9, 13),
        school_days=(MON, WED),
        makeup_days={D(2026, 9, 12): FRI},
    )
    assert dates(days) == [D(2026, 9, 7), D(2026, 9, 9), D(2026, 9, 12)]


def test_monday_and_friday_sessions_over_the_autumn_term():
    days = teaching_days(TERM_START, TERM_END, days_off=HOLIDAYS, makeup_days=MAKEUP)
    mondays = list(session_dates(days, MON))
    # 20 Mondays from 7 Sep to 18 Jan, less 5 Oct (National Day), plus Sun 27 Sep.
    assert len(mondays) == 20
    assert D(2026, 10, 5) not in mondays
    assert D(2026, 9, 27) in mondays
    assert mondays[0] == D(2026, 9, 7)
    assert mondays[-1] == D(2027, 1, 18)
    # 21 Fridays from 4 Sep to 22 Jan, less 25 Sep, 2 Oct and 1 Jan, plus Sat 10 Oct.
    fridays = list(session_dates(days, FRI))
    assert len(fridays) == 19
    assert {D(2026, 9, 25), D(2026, 10, 2), D(2027, 1, 1)}.isdisjoint(fridays)
    assert D(2026, 10, 10) in fridays
    # Every teaching day runs exactly one weekday's timetable.
    assert len(days) == sum(len(list(session_dates(days, wd))) for wd in range(7))
    assert len(days) == 99  # 104 weekdays, 7 of them holidays, 2 make-up days


# --- from the database ---------------------------------------------------------------------


@pytest.fixture
def term():
    term = f.TermFactory(start=TERM_START, end=TERM_END)
    for holiday in HOLIDAYS:
        f.CalendarDayFactory(term=term, date=holiday, kind=CalendarDay.Kind.HOLIDAY)
    for makeup, weekday in MAKEUP.items():
        f.CalendarDayFactory(term=term, date=makeup, kind=CalendarDay.Kind.MAKEUP, follows_weekday=weekday)
    return term


@pytest.mark.django_db
def test_school_specific_closure_affects_only_that_school(term):
    school_a, school_b, school_c = f.SchoolFactory.create_batch(3)
    # Sports day at A on Mon 16 Nov, at B on Tue 17 Nov; C has no closure.
    f.CalendarDayFactory(term=term, school=school_a, date=D(2026, 11, 16), kind=CalendarDay.Kind.CLOSURE)
    f.CalendarDayFactory(term=term, school=school_b, date=D(2026, 11, 17), kind=CalendarDay.Kind.CLOSURE)
    # A city-wide holiday on Wed 18 Nov (say, a city event).
    f.CalendarDayFactory(term=term, date=D(2026, 11, 18), kind=CalendarDay.Kind.HOLIDAY)

    a, b, c = (dates(teaching_days_for(term, s)) for s in (school_a, school_b, school_c))
    assert D(2026, 11, 16) not in a and D(2026, 11, 17) in a
    assert D(2026, 11, 16) in b and D(2026, 11, 17) not in b
    assert D(2026, 11, 16) in c and D(2026, 11, 17) in c
    for school_dates in (a, b, c):
        assert D(2026, 11, 18) not in school_dates
        assert D(2026, 10, 1) not in school_dates
        assert D(2026, 10, 10) in school_dates
    assert len(c) == 98  # the 99 days of the term, less the city-wide 18 Nov
    assert len(a) == len(b) == 97


@pytest.mark.django_db
def test_calendar_of_another_term_is_ignored(term):
    school = f.SchoolFactory()
    other_term = f.TermFactory(start=TERM_START, end=TERM_END)
    f.CalendarDayFactory(term=other_term, school=school, date=D(2026, 9, 7), kind=CalendarDay.Kind.CLOSURE)
    assert D(2026, 9, 7) in dates(teaching_days_for(term, school))
    assert D(2026, 9, 7) not in dates(teaching_days_for(other_term, school))


@pytest.mark.django_db
def test_school_closure_on_a_citywide_makeup_day(term):
    closed, open_ = f.SchoolFactory.create_batch(2)
    f.CalendarDayFactory(term=term, school=closed, date=D(2026, 10, 10), kind=CalendarDay.Kind.CLOSURE)
    assert D(2026, 10, 10) not in dates(teaching_days_for(term, closed))
    assert TeachingDay(D(2026, 10, 10), FRI, makeup=True) in teaching_days_for(term, open_)


@pytest.mark.django_db
def test_monday_sessions_from_the_database(term):
    school, other = f.SchoolFactory.create_batch(2)
    f.CalendarDayFactory(term=term, school=school, date=D(2026, 11, 16), kind=CalendarDay.Kind.CLOSURE)
    assert len(list(session_dates(teaching_days_for(term, school), MON))) == 19
    assert len(list(session_dates(teaching_days_for(term, other), MON))) == 20


def test_a_served_weekend_day_runs_and_a_makeup_day_still_follows_its_weekday():
    # 2026-09-05 and 09-12 are Saturdays, 09-13 a Sunday; 09-12 is a make-up day for Friday.
    days = teaching_days(
        D(2026, 9, 5), D(2026, 9, 13), makeup_days={D(2026, 9, 12): 4}, school_days=(0, 1, 2, 3, 4, 5)
    )
    assert TeachingDay(D(2026, 9, 5), 5) in days
    assert TeachingDay(D(2026, 9, 12), 4, makeup=True) in days
    assert D(2026, 9, 13) not in [d.date for d in days]


def test_teaching_days_for_adds_only_the_weekend_days_asked_for(db):
    term = f.TermFactory(start=D(2026, 9, 7), end=D(2026, 9, 20))
    school = f.SchoolFactory()
    plain = [d.date for d in teaching_days_for(term, school)]
    served = [d.date for d in teaching_days_for(term, school, weekend_days={5, 2})]
    assert D(2026, 9, 12) not in plain
    assert set(served) - set(plain) == {D(2026, 9, 12), D(2026, 9, 19)}
