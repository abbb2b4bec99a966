"""A small fee world: a four-week term with a holiday, a closure and a make-up day.

Term: Monday 7 September to Friday 2 October 2026 (20 weekdays, four of each).
Wednesday 16 September is a public holiday, Tuesday 22 September a closure of this school,
Saturday 26 September a make-up working day that follows Monday's timetable. Teaching days:
Mon 5 (4 + the make-up day), Tue 3, Wed 3, Thu 4, Fri 4 = 19. Nine fall before
21 September, ten on or after it.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from marketplace.enrolment.models import Enrolment, TermPlan
from marketplace.fees.models import ChargingStandard
from scheduling.timetables.models import DatedSession, TimetableRun
from schools.models import CalendarDay
from tests import factories as f

D = datetime.date
SEPT_1 = D(2026, 9, 1)
TERM_START = D(2026, 9, 7)
SS = ChargingStandard.ServiceKind.SUPERVISED_STUDY
ENR = ChargingStandard.ServiceKind.ENRICHMENT
PER_TERM = ChargingStandard.Unit.PER_TERM
PER_MONTH = ChargingStandard.Unit.PER_MONTH
PER_SESSION = ChargingStandard.Unit.PER_SESSION


def standard(world, *, kind=SS, unit=PER_SESSION, cap="10.00", start=SEPT_1, end=None, doc=None):
    extra = {"approval_document": doc} if doc else {}
    return f.ChargingStandardFactory(
        district=world.district,
        service_kind=kind,
        unit=unit,
        cap_amount=Decimal(cap),
        effective_from=start,
        effective_to=end,
        **extra,
    )


def plan(world, days, child=None):
    from core.weekdays import mask_from_days

    return TermPlan.objects.create(child=child or world.child, term=world.term, days=mask_from_days(days))


def activity(world, *, price="30.00", materials="0.00", dates=(), request_price=None):
    course = f.CourseFactory(price_per_session=Decimal(price), materials_fee=Decimal(materials))
    act = f.ActivityFactory(school=world.school, term=world.term, course=course, vendor=course.vendor)
    if request_price is not None:
        from marketplace.course_requests.models import CourseRequest

        req = CourseRequest.objects.create(
            school=world.school,
            term=world.term,
            course=course,
            vendor=course.vendor,
            grade_min=1,
            grade_max=6,
            max_size=30,
            room_kind=act.room_kind,
            price_per_session=Decimal(request_price),
            requested_by=f.UserFactory(),
            status="accepted",
            decided_at=datetime.datetime(2026, 8, 1, tzinfo=datetime.UTC),
        )
        act.course_request = req
        act.save()
    room = f.RoomFactory(school=world.school)
    slot = world.slot
    for day in dates:
        f.dated_session(
            world.run,
            day,
            slot,
            kind=DatedSession.Kind.MEETING,
            activity=act,
            staff=world.staff,
            room=room,
        )
    return act


def enrol(world, act, *, joined_on=TERM_START, status=Enrolment.Status.PLACED, child=None):
    return Enrolment.objects.create(
        child=child or world.child,
        activity=act,
        status=status,
        source=Enrolment.Source.ALLOCATION,
        joined_on=joined_on,
        left_on=joined_on if status == Enrolment.Status.WITHDRAWN else None,
    )


@pytest.fixture
def world(db):
    district = f.DistrictFactory()
    school = f.SchoolFactory(district=district)
    term = f.TermFactory(start=D(2026, 9, 7), end=D(2026, 10, 2))
    f.CalendarDayFactory(term=term, date=D(2026, 9, 16))
    f.CalendarDayFactory(term=term, school=school, date=D(2026, 9, 22), closure=True)
    f.CalendarDayFactory(term=term, date=D(2026, 9, 26), kind=CalendarDay.Kind.MAKEUP, follows_weekday=0)
    # Another school's closure must not touch this school.
    f.CalendarDayFactory(
        term=term, school=f.SchoolFactory(district=district), date=D(2026, 9, 8), closure=True
    )
    school_class = f.SchoolClassFactory(school=school)
    household = f.HouseholdFactory()
    child = f.ChildFactory(household=household, school_class=school_class)
    run = TimetableRun.objects.create(school=school, term=term, problem={}, status="done")
    return SimpleNamespace(
        district=district,
        school=school,
        term=term,
        school_class=school_class,
        household=household,
        child=child,
        run=run,
        staff=f.StaffMemberFactory(school=school),
        slot=f.SlotFactory(school=school, weekday=2),
    )
