"""Tests of duty records and compensatory rest (``scheduling.rest``).

``build_world()`` makes a small school with a real problem (``problem_assemble``) and a
hand-written solution in the public format, published from ``TERM_START``:

* slots ``mon-1`` (Monday 15:30–16:30, supervised) and ``wed-1`` (Wednesday 16:40–17:40,
  enrichment);
* classes 3-2 and 3-3; staff 王丽 (``wang``), 李娜 (``li``) and 陈刚 (``chen``); 王丽 and 陈刚
  can teach the staff-run activity 书法 (subject ``calligraphy``);
* the weekly solution: 王丽 supervises 3-2 and 李娜 supervises 3-3 on Monday, 王丽 teaches
  书法 on Wednesday; 陈刚 has no duty, so he is the only possible substitute.
* the term runs from Monday 7 to Friday 25 September 2026; the policy gives one credit per
  duty so a single duty record is a rest day.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from scheduling.rest.models import DutyRecord, RestPolicy
from scheduling.slots.models import Slot
from scheduling.timetables.assembly import activity_key, class_key, problem_assemble, staff_key
from scheduling.timetables.models import DatedSession, TimetableRun
from scheduling.timetables.publishing import run_publish
from schools.models import SchoolClass
from tests import factories as f

D = datetime.date
T = datetime.time

TERM_START = D(2026, 9, 7)
TERM_END = D(2026, 9, 25)
BEFORE = D(2026, 9, 6)  # "today" for the claims: the Sunday before the term
MONDAY = D(2026, 9, 14)
WEDNESDAY = D(2026, 9, 16)


def build_world(*, start=TERM_START, end=TERM_END, publish_from=TERM_START, duties_per_credit=1):
    school = f.SchoolFactory()
    term = f.TermFactory(start=start, end=end)
    mon = f.SlotFactory(school=school, weekday=0, start=T(15, 30), end=T(16, 30), kind=Slot.Kind.SUPERVISED)
    wed = f.SlotFactory(school=school, weekday=2, start=T(16, 40), end=T(17, 40), kind=Slot.Kind.ENRICHMENT)
    classroom = f.RoomKindFactory(code="classroom")
    art_kind = f.RoomKindFactory(code="art")
    r302 = f.RoomFactory(school=school, code="r302", kinds=[classroom])
    r303 = f.RoomFactory(school=school, code="r303", kinds=[classroom])
    art = f.RoomFactory(school=school, code="art", kinds=[art_kind])
    c32 = f.SchoolClassFactory(school=school, grade=3, number=2, home_room=r302)
    c33 = f.SchoolClassFactory(school=school, grade=3, number=3, home_room=r303)
    calligraphy = f.SubjectFactory(code="calligraphy")
    wang = f.StaffMemberFactory(school=school, name="王丽", staff_no="T1", subjects=[calligraphy])
    li = f.StaffMemberFactory(school=school, name="李娜", staff_no="T2")
    chen = f.StaffMemberFactory(school=school, name="陈刚", staff_no="T3", subjects=[calligraphy])
    activity = f.SchoolActivityFactory(
        course__school=school, course__subject=calligraphy, term=term, name="书法", room_kind=art_kind
    )
    problem = problem_assemble(school=school, term=term)
    solution = {
        "format": "afterschool-timetable-solution/1",
        "status": "optimal",
        "objective": 0,
        "bound": 0,
        "solve_seconds": 0.1,
        "supervisions": [
            {"class": class_key(c32), "slot": "mon-1", "staff": staff_key(wang.pk)},
            {"class": class_key(c33), "slot": "mon-1", "staff": staff_key(li.pk)},
        ],
        "meetings": [
            {
                "activity": activity_key(activity.pk),
                "slot": "wed-1",
                "room": "art",
                "teacher": staff_key(wang.pk),
            }
        ],
        "cancelled": [],
        "enrollments": [],
        "explanation": [],
    }
    run = TimetableRun.objects.create(
        school=school, term=term, status=TimetableRun.Status.DONE, problem=problem, solution=solution
    )
    run_publish(run=run, today=publish_from)
    RestPolicy.objects.create(school=school, duties_per_credit=duties_per_credit, max_credits_per_term=5)
    return SimpleNamespace(
        school=school,
        term=term,
        run=run,
        slots={"mon-1": mon, "wed-1": wed},
        c32=c32,
        c33=c33,
        wang=wang,
        li=li,
        chen=chen,
        activity=activity,
        art=art,
    )


def build_claims_world(users=("wang", "li", "chen")) -> SimpleNamespace:
    """``build_world()`` where 王丽, 李娜 and 陈刚 have two duties each (two credits), with a
    teacher's user ``<name>_user`` for each staff member named in ``users`` and the
    school's administrator ``admin``."""
    world = build_world()
    for staff in (world.wang, world.li, world.chen):
        give_duties(staff, world.term, 2)  # two credits each
    for name in users:
        setattr(world, f"{name}_user", f.TeacherFactory(school=world.school, staff=getattr(world, name)).user)
    world.admin = f.SchoolAdminFactory(school=world.school).user
    return world


def give_duties(staff, term, count: int, *, first=None) -> list[DutyRecord]:
    """``count`` duty records of ``staff`` in ``term`` on sessions made for the purpose
    (daily supervisions of a class of their school from ``first``, by default the term's start)."""
    school = staff.school
    slot = Slot.objects.filter(school=school, weekday=6, start=T(8, 0)).first() or f.SlotFactory(
        school=school, weekday=6, start=T(8, 0), end=T(9, 0), kind=Slot.Kind.SUPERVISED
    )
    # A class of its own per staff member, so several of them can have duties on one day.
    school_class = SchoolClass.objects.filter(school=school, grade=6, number=staff.pk).first() or (
        f.SchoolClassFactory(
            school=school,
            grade=6,
            number=staff.pk,
            # A code of its own: the factory's sequence would reach "r302" in a long session.
            home_room=f.RoomFactory(school=school, code=f"duty-{staff.pk}"),
        )
    )
    run = TimetableRun.objects.filter(school=school).first() or TimetableRun.objects.create(
        school=school, term=term, status=TimetableRun.Status.DONE, problem={}, solution={}
    )
    first = first or term.start
    records = []
    for i in range(count):
        day = first + datetime.timedelta(days=i)
        session = f.dated_session(
            run,
            day,
            slot,
            school=school,
            term=term,
            kind=DatedSession.Kind.SUPERVISION,
            school_class=school_class,
            staff=staff,
            room=school_class.home_room,
        )
        records.append(
            DutyRecord.objects.create(
                staff=staff, dated_session=session, school=school, term=term, date=day, kind="supervision"
            )
        )
    return records
