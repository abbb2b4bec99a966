"""Tests of attendance (``scheduling.attendance``).

``build_world()`` makes one school with a published run and two dated sessions:

* ``supervision``: Monday 14 September 2026, class 3-2 (after-school days Monday–Wednesday),
  supervised by staff member ``wang`` (user ``teacher``);
* ``meeting``: Wednesday 16 September 2026, the vendor's activity ``activity`` taught by its
  instructor (vendor member user ``vendor_user``).
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.utils import timezone

from scheduling.slots.models import Slot
from scheduling.timetables.models import DatedSession, TimetableRun
from tests import factories as f

D = datetime.date
T = datetime.time
MONDAY = D(2026, 9, 14)
WEDNESDAY = D(2026, 9, 16)


def published_run(school, term, *, published=True):
    return TimetableRun.objects.create(
        school=school,
        term=term,
        status=TimetableRun.Status.DONE,
        problem={},
        solution={"status": "optimal"},
        published_at=timezone.now() if published else None,
    )


def build_world() -> SimpleNamespace:
    school = f.SchoolFactory()
    term = f.TermFactory(start=D(2026, 9, 7), end=D(2026, 9, 25))
    mon = f.SlotFactory(school=school, weekday=0, kind=Slot.Kind.SUPERVISED)
    wed = f.SlotFactory(school=school, weekday=2, kind=Slot.Kind.ENRICHMENT)
    school_class = f.SchoolClassFactory(school=school, days=0b0000111)
    teacher = f.TeacherFactory(school=school)
    other_teacher = f.TeacherFactory(school=school)
    vendor_member = f.VendorMemberFactory()
    other_vendor_member = f.VendorMemberFactory()
    admin = f.SchoolAdminFactory(school=school)
    instructor = f.InstructorFactory(vendor=vendor_member.vendor)
    activity = f.ActivityFactory(course__vendor=vendor_member.vendor, school=school, term=term)
    run = published_run(school, term)
    supervision = f.dated_session(
        run,
        MONDAY,
        mon,
        kind=DatedSession.Kind.SUPERVISION,
        school_class=school_class,
        staff=teacher.staff,
        room=school_class.home_room,
    )
    meeting = f.dated_session(
        run,
        WEDNESDAY,
        wed,
        kind=DatedSession.Kind.MEETING,
        activity=activity,
        instructor=instructor,
        room=f.RoomFactory(school=school),
    )
    return SimpleNamespace(
        school=school,
        term=term,
        run=run,
        slots={"mon": mon, "wed": wed},
        school_class=school_class,
        teacher=teacher.user,
        staff=teacher.staff,
        other_teacher=other_teacher.user,
        vendor_user=vendor_member.user,
        vendor=vendor_member.vendor,
        other_vendor_user=other_vendor_member.user,
        admin=admin.user,
        instructor=instructor,
        activity=activity,
        supervision=supervision,
        meeting=meeting,
    )
