"""Tests of the prepaid-fee ledger (``marketplace.ledger``).

``build_world()`` makes one school and term (7–25 September 2026), class days Monday to
Wednesday, two households with one child each (``c0``, ``c1``) in the class, and:

* ``vendor_activity`` (a vendor's; both children placed) meeting Tuesdays 8, 15, 22 Sept;
* ``staff_activity`` (the school's own; ``c0`` placed) meeting Wednesdays 9, 16, 23 Sept;
* supervision of the class on Mondays 7, 14, 21 Sept.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from marketplace.enrolment.models import Enrolment
from scheduling.slots.models import Slot
from scheduling.timetables.models import DatedSession, TimetableRun
from tests import factories as f

D = datetime.date
TERM_START = D(2026, 9, 7)


def build_world() -> SimpleNamespace:
    school = f.SchoolFactory()
    term = f.TermFactory(start=TERM_START, end=D(2026, 9, 25))
    mon = f.SlotFactory(school=school, weekday=0, kind=Slot.Kind.SUPERVISED)
    tue = f.SlotFactory(school=school, weekday=1, kind=Slot.Kind.ENRICHMENT)
    wed = f.SlotFactory(school=school, weekday=2, kind=Slot.Kind.ENRICHMENT)
    school_class = f.SchoolClassFactory(school=school, days=0b0000111)
    staff = f.StaffMemberFactory(school=school)
    vendor = f.VendorFactory()
    instructor = f.InstructorFactory(vendor=vendor)
    vendor_activity = f.ActivityFactory(course__vendor=vendor, school=school, term=term)
    staff_activity = f.SchoolActivityFactory(course__school=school, school=school, term=term)
    run = TimetableRun.objects.create(
        school=school,
        term=term,
        status=TimetableRun.Status.DONE,
        problem={},
        solution={"status": "optimal"},
        published_at=timezone.now(),
    )
    room_a, room_b = f.RoomFactory(school=school), f.RoomFactory(school=school)

    def session(day, slot, **kwargs):
        return f.dated_session(run, day, slot, **kwargs)

    supervision = [
        session(
            TERM_START + datetime.timedelta(days=7 * w),
            mon,
            kind=DatedSession.Kind.SUPERVISION,
            school_class=school_class,
            staff=staff,
            room=school_class.home_room,
        )
        for w in range(3)
    ]
    vendor_meetings = [
        session(
            TERM_START + datetime.timedelta(days=7 * w + 1),
            tue,
            kind=DatedSession.Kind.MEETING,
            activity=vendor_activity,
            instructor=instructor,
            room=room_a,
        )
        for w in range(3)
    ]
    staff_meetings = [
        session(
            TERM_START + datetime.timedelta(days=7 * w + 2),
            wed,
            kind=DatedSession.Kind.MEETING,
            activity=staff_activity,
            staff=staff,
            room=room_b,
        )
        for w in range(3)
    ]
    c0 = f.ChildFactory(school_class=school_class)
    c1 = f.ChildFactory(school_class=school_class)

    def place(child, activity):
        return Enrolment.objects.create(
            child=child,
            activity=activity,
            status=Enrolment.Status.PLACED,
            source=Enrolment.Source.ALLOCATION,
            joined_on=TERM_START,
        )

    enrolments = {
        (0, "vendor"): place(c0, vendor_activity),
        (1, "vendor"): place(c1, vendor_activity),
        (0, "staff"): place(c0, staff_activity),
    }
    return SimpleNamespace(
        school=school,
        term=term,
        school_class=school_class,
        staff=staff,
        vendor=vendor,
        vendor_activity=vendor_activity,
        staff_activity=staff_activity,
        supervision=supervision,
        vendor_meetings=vendor_meetings,
        staff_meetings=staff_meetings,
        children=[c0, c1],
        enrolments=enrolments,
    )


def build_paying_world(parent_email: str | None = None) -> SimpleNamespace:
    """``build_world()`` with the district's capped charging standards (supervised study at
    ¥10 and enrichment at ¥80 a session), ``child`` (``c0``) and ``parent`` (the user of a
    parent of c0's household, with ``parent_email`` if given): the world a payment needs."""
    world = build_world()
    district = world.school.district
    f.ChargingStandardFactory(district=district, unit="per_session", cap_amount=Decimal("10.00"))
    f.ChargingStandardFactory(
        district=district, service_kind="enrichment", unit="per_session", cap_amount=Decimal("80.00")
    )
    world.child = world.children[0]
    user = {"user__email": parent_email} if parent_email is not None else {}
    world.parent = f.ParentFactory(household=world.child.household, **user).user
    return world


def withdraw(enrolment, on=None) -> Enrolment:
    """Withdraw an enrolment the way the enrolment service would (status + left_on)."""
    Enrolment.objects.filter(pk=enrolment.pk).update(
        status=Enrolment.Status.WITHDRAWN, left_on=on or enrolment.joined_on
    )
    enrolment.refresh_from_db()
    return enrolment
