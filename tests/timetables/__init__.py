"""Tests of published timetables: dated sessions (``publishing``) and calendar files (``ics``).

``build_school()`` makes the small school both modules use, with a three-week term:

* slots ``mon-1`` (Monday 15:30–16:30, supervised), ``wed-1`` (Wednesday 16:40–17:40,
  enrichment) and ``fri-1`` (Friday 15:30–16:30, supervised);
* rooms ``r302`` (the home room of class 3-2), ``r303`` (another classroom) and ``art``
  (named “美术室, 二楼; 东侧”, with an ASCII comma and semicolon);
* class 3-2; staff 王丽 (``wang``) and 陈刚 (``chen``); the staff-run activity 书法 (``activity``);
* the term runs from Monday 7 to Friday 25 September 2026. Wednesday 16 September is a
  city-wide holiday, Saturday 19 September a make-up working day that follows Friday's
  timetable, and the school is closed on Monday 21 September (another school is closed on
  Friday 11 September, which does not concern this one).

``solution(school, …)`` writes a solution in the public format with the assembly's ids;
``done_run(school, sol)`` stores it as a finished run.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from scheduling.slots.models import Slot
from scheduling.timetables.assembly import activity_key, class_key, staff_key
from scheduling.timetables.models import TimetableRun
from tests import factories as f

D = datetime.date
T = datetime.time

TERM_START = D(2026, 9, 7)
TERM_END = D(2026, 9, 25)
HOLIDAY = D(2026, 9, 16)  # a Wednesday, city-wide
MAKEUP = D(2026, 9, 19)  # a Saturday that follows Friday
CLOSURE = D(2026, 9, 21)  # a Monday, this school only
OTHER_SCHOOLS_CLOSURE = D(2026, 9, 11)  # a Friday, another school only

SUPERVISION_DATES = [D(2026, 9, 7), D(2026, 9, 11), D(2026, 9, 14), D(2026, 9, 18), MAKEUP, D(2026, 9, 25)]
MEETING_DATES = [D(2026, 9, 9), D(2026, 9, 23)]

LONG_SCHOOL_NAME = "宁波市海曙区第一实验小学（教育集团）本部校区, 课后服务中心; 联络处\\二号楼东侧一楼大厅"
ART_ROOM_NAME = "美术室, 二楼; 东侧"


def build_school(*, school_name: str = "海曙实验小学") -> SimpleNamespace:
    """The small school of this package's docstring, as a namespace of its rows."""
    school = f.SchoolFactory(name=school_name)
    term = f.TermFactory(start=TERM_START, end=TERM_END)
    f.CalendarDayFactory(term=term, date=HOLIDAY)
    f.CalendarDayFactory(term=term, date=MAKEUP, makeup=True)
    f.CalendarDayFactory(term=term, date=CLOSURE, school=school, closure=True)
    other_school = f.SchoolFactory()
    f.CalendarDayFactory(term=term, date=OTHER_SCHOOLS_CLOSURE, school=other_school, closure=True)

    mon = f.SlotFactory(school=school, weekday=0, start=T(15, 30), end=T(16, 30), kind=Slot.Kind.SUPERVISED)
    wed = f.SlotFactory(school=school, weekday=2, start=T(16, 40), end=T(17, 40), kind=Slot.Kind.ENRICHMENT)
    fri = f.SlotFactory(school=school, weekday=4, start=T(15, 30), end=T(16, 30), kind=Slot.Kind.SUPERVISED)

    home = f.RoomFactory(school=school, code="r302", name="三年级二班教室")
    classroom = f.RoomFactory(school=school, code="r303", name="三年级三班教室")
    art = f.RoomFactory(school=school, code="art", name=ART_ROOM_NAME)
    school_class = f.SchoolClassFactory(school=school, grade=3, number=2, home_room=home)
    wang = f.StaffMemberFactory(school=school, name="王丽")
    chen = f.StaffMemberFactory(school=school, name="陈刚")
    activity = f.SchoolActivityFactory(course__school=school, term=term, name="书法（三四年级）")
    assert activity.school == school and activity.vendor is None

    return SimpleNamespace(
        school=school,
        term=term,
        other_school=other_school,
        slots={"mon-1": mon, "wed-1": wed, "fri-1": fri},
        home=home,
        classroom=classroom,
        art=art,
        school_class=school_class,
        wang=wang,
        chen=chen,
        activity=activity,
    )


def solution(
    world: SimpleNamespace,
    *,
    supervisor=None,
    teacher=None,
    room: str = "art",
    status: str = "optimal",
    supervisions: list | None = None,
    meetings: list | None = None,
) -> dict:
    """A solution of the school: 3-2 supervised Monday and Friday, 书法 on Wednesday.

    ``supervisor`` and ``teacher`` default to 王丽; ``supervisions``/``meetings`` are added.
    """
    supervisor = supervisor or world.wang
    teacher = teacher or world.wang
    cls = class_key(world.school_class)
    return {
        "format": "afterschool-timetable-solution/1",
        "status": status,
        "objective": 0,
        "bound": 0,
        "solve_seconds": 0.1,
        "supervisions": [
            {"class": cls, "slot": "mon-1", "staff": staff_key(supervisor.pk)},
            {"class": cls, "slot": "fri-1", "staff": staff_key(supervisor.pk)},
            *(supervisions or []),
        ],
        "meetings": [
            {
                "activity": activity_key(world.activity.pk),
                "slot": "wed-1",
                "room": room,
                "teacher": staff_key(teacher.pk),
            },
            *(meetings or []),
        ],
        "cancelled": [],
        "enrollments": [],
        "explanation": [],
    }


def done_run(world: SimpleNamespace, sol: dict | None, *, status=TimetableRun.Status.DONE) -> TimetableRun:
    """A run of the school's term in ``status`` holding ``sol``."""
    return TimetableRun.objects.create(
        school=world.school, term=world.term, status=status, problem={}, solution=sol
    )


def database_url() -> str:
    """A ``DATABASE_URL`` naming this test run's database, for worker processes tests start."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    return f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
