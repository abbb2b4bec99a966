"""Who should be at a dated session (``selectors.roster_for``)."""

import pytest

from marketplace.enrolment.models import Enrolment, TermPlan
from scheduling.attendance.selectors import roster_for
from scheduling.timetables.models import DatedSession
from tests import factories as f
from tests.attendance import WEDNESDAY, D, published_run

pytestmark = pytest.mark.django_db


def enrol(world, *, joined_on, left_on=None, status=Enrolment.Status.PLACED, child=None):
    child = child or f.ChildFactory(school_class=world.school_class)
    Enrolment.objects.create(
        child=child,
        activity=world.activity,
        status=status,
        source=Enrolment.Source.LATE,
        joined_on=joined_on,
        left_on=left_on,
    )
    return child


def test_meeting_roster_follows_join_and_leave_dates(world):
    joined_before = enrol(world, joined_on=D(2026, 9, 7))
    joined_on_the_day = enrol(world, joined_on=WEDNESDAY)
    enrol(world, joined_on=D(2026, 9, 17))  # joins the day after
    left_after = enrol(world, joined_on=D(2026, 9, 7), left_on=D(2026, 9, 17))
    enrol(world, joined_on=D(2026, 9, 7), left_on=WEDNESDAY)  # left on the day: gone
    enrol(world, joined_on=D(2026, 9, 7), status=Enrolment.Status.WAITING)
    enrol(world, joined_on=D(2026, 9, 7), left_on=D(2026, 9, 10), status=Enrolment.Status.WITHDRAWN)
    # A place in another activity does not count.
    other = f.ActivityFactory(school=world.school, term=world.term)
    Enrolment.objects.create(
        child=f.ChildFactory(school_class=world.school_class),
        activity=other,
        status=Enrolment.Status.PLACED,
        source=Enrolment.Source.LATE,
        joined_on=D(2026, 9, 7),
    )

    assert {child.pk for child in roster_for(world.meeting)} == {
        joined_before.pk,
        joined_on_the_day.pk,
        left_after.pk,
    }


def test_supervision_roster_follows_term_plan_days_else_class_days(world):
    # The class stays Monday–Wednesday.
    no_plan = f.ChildFactory(school_class=world.school_class, name="甲")
    plan_monday = f.ChildFactory(school_class=world.school_class, name="乙")
    TermPlan.objects.create(child=plan_monday, term=world.term, days=0b0000001)
    plan_tuesday = f.ChildFactory(school_class=world.school_class, name="丙")
    TermPlan.objects.create(child=plan_tuesday, term=world.term, days=0b0000010)
    # A plan for another term does not apply: the class's days do (Monday included).
    other_term_plan = f.ChildFactory(school_class=world.school_class, name="丁")
    TermPlan.objects.create(child=other_term_plan, term=f.TermFactory(), days=0b0000010)
    f.ChildFactory(school=world.school)  # another class

    assert {child.pk for child in roster_for(world.supervision)} == {
        no_plan.pk,
        plan_monday.pk,
        other_term_plan.pk,
    }


def test_supervision_on_a_day_the_class_does_not_stay(world):
    friday_slot = f.SlotFactory(school=world.school, weekday=4)
    session = f.dated_session(
        world.run,
        D(2026, 9, 18),
        friday_slot,
        kind=DatedSession.Kind.SUPERVISION,
        school_class=world.school_class,
        staff=world.staff,
        room=world.school_class.home_room,
    )
    no_plan = f.ChildFactory(school_class=world.school_class)
    friday_plan = f.ChildFactory(school_class=world.school_class)
    TermPlan.objects.create(child=friday_plan, term=world.term, days=0b0010000)

    assert [child.pk for child in roster_for(session)] == [friday_plan.pk]
    assert no_plan.pk not in {child.pk for child in roster_for(session)}


def test_makeup_day_follows_the_slot_weekday(world):
    """A Saturday make-up day that follows Monday's timetable uses Monday's plans."""
    child = f.ChildFactory(school_class=world.school_class)
    TermPlan.objects.create(child=child, term=world.term, days=0b0000001)
    session = f.dated_session(
        published_run(world.school, world.term),
        D(2026, 9, 19),
        world.slots["mon"],
        kind=DatedSession.Kind.SUPERVISION,
        school_class=world.school_class,
        staff=world.staff,
        room=world.school_class.home_room,
    )
    assert [c.pk for c in roster_for(session)] == [child.pk]
