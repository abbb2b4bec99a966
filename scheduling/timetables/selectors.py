"""Reads of timetables: a school's runs, the checklist before a solve, the live run, and the
published dated sessions of a teacher or a class (e.g. one week at a time with ``week_of``).

Everything here only queries; the pages' layouts and wording are in ``presentation``, state
changes go through ``services``, ``publishing`` and ``imports``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import QuerySet

from scheduling.staff.models import StaffMember
from scheduling.timetables.assembly import checklist, checklist_activities, problem_assemble
from scheduling.timetables.models import DatedSession, TimetableRun
from schools.models import SchoolClass

# --- runs -----------------------------------------------------------------------------------


def runs_of_school(*, school):
    """The school's runs, newest first."""
    return TimetableRun.objects.filter(school=school).select_related("term").order_by("-created_at", "-pk")


@dataclass(frozen=True)
class Readiness:
    """The checklist before a solve; ``blocked`` when an item makes a solve pointless.

    ``activities`` are the activities the solve will place (``ChecklistActivity`` rows).
    """

    items: list
    blocked: bool
    activities: list = field(default_factory=list)


def solve_readiness(*, school, term) -> Readiness:
    if term is None:
        return Readiness(items=[], blocked=True)
    problem = problem_assemble(school=school, term=term)
    items = checklist(school=school, term=term, problem=problem)
    return Readiness(
        items=items,
        blocked=any(item.blocking for item in items),
        activities=checklist_activities(school=school, term=term, problem=problem),
    )


def live_run(*, school, term) -> TimetableRun | None:
    """The term's live published run of the school (at most one: a database constraint)."""
    return TimetableRun.objects.filter(school=school, term=term, live=True).first()


# --- published dated sessions -----------------------------------------------------------------


def week_of(day: date) -> tuple[date, date]:
    """The Monday and the Sunday of the week that contains ``day``."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _sessions(start: date | None, end: date | None) -> QuerySet[DatedSession]:
    sessions = DatedSession.objects.select_related(
        "school", "slot", "school_class", "activity", "staff", "instructor", "room"
    ).order_by("date", "start", "pk")
    if start is not None:
        sessions = sessions.filter(date__gte=start)
    if end is not None:
        sessions = sessions.filter(date__lte=end)
    return sessions


def sessions_for_staff(*, staff: StaffMember, start: date | None, end: date | None) -> QuerySet[DatedSession]:
    """The staff member's sessions (supervisions and the meetings they teach), ``start``–``end``.

    Both ends are inclusive; None leaves that end open.
    """
    return _sessions(start, end).filter(staff=staff)


def sessions_for_class(
    *, school_class: SchoolClass, start: date | None, end: date | None
) -> QuerySet[DatedSession]:
    """The class's sessions from ``start`` to ``end`` (inclusive; None leaves that end open).

    For now its supervisions only; its pupils' activities join once enrolment exists.
    """
    return _sessions(start, end).filter(school_class=school_class, kind=DatedSession.Kind.SUPERVISION)
