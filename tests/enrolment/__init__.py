"""Tests of enrolment: the window, families' plans, students in the problem, allocation.

``enrolment_world()`` builds on ``tests.timetables.build_school`` (class 3-2, slots mon-1 and
fri-1 supervised, wed-1 enrichment, the staff activity 书法): it adds a second activity
围棋 (grade 3–4) and a grade-5-only activity 篮球, an activity of another school, a parent
with a child in 3-2, and an enrolment window open now (term_current() is the world's term).
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.utils import timezone

from marketplace.enrolment.services import window_save
from tests import factories as f
from tests.timetables import build_school


def enrolment_world(
    *, window_open: bool = True, max_choices: int = 3, max_activities: int = 2
) -> SimpleNamespace:
    world = build_school()
    art_kind = world.activity.room_kind
    world.art.kinds.add(art_kind)
    world.wang.subjects.add(world.activity.course.subject)
    go = f.SchoolActivityFactory(
        course__school=world.school,
        course__grade_min=3,
        course__grade_max=4,
        term=world.term,
        name="围棋",
        room_kind=art_kind,
    )
    world.chen.subjects.add(go.course.subject)
    grade5 = f.SchoolActivityFactory(
        course__school=world.school, course__grade_min=5, course__grade_max=5, term=world.term, name="篮球"
    )
    elsewhere = f.SchoolActivityFactory(course__school=world.other_school, term=world.term, name="别校")
    now = timezone.now()
    if window_open:
        opens, closes = now - datetime.timedelta(days=1), now + datetime.timedelta(days=1)
    else:
        opens, closes = now - datetime.timedelta(days=3), now - datetime.timedelta(days=1)
    window = window_save(
        school=world.school,
        term=world.term,
        opens_at=opens,
        closes_at=closes,
        max_choices=max_choices,
        max_activities=max_activities,
    )
    parent = f.ParentFactory()
    child = f.ChildFactory(household=parent.household, school_class=world.school_class, name="小明")
    admin = f.SchoolAdminFactory(school=world.school)
    world.__dict__.update(
        go=go, grade5=grade5, elsewhere=elsewhere, window=window, parent=parent, child=child, admin=admin
    )
    return world


def close_window(world) -> None:
    """Move the window into the past (closed), bypassing the service as time would."""
    now = timezone.now()
    world.window.opens_at = now - datetime.timedelta(days=3)
    world.window.closes_at = now - datetime.timedelta(days=1)
    world.window.save()


WED_2 = (datetime.time(17, 50), datetime.time(18, 50))


def with_go(world, sol: dict) -> dict:
    """``sol`` with 围棋 meeting Wednesday 17:50–18:50 (slot ``wed-2``, added to the school
    the first time) in the art room, taught by 陈刚."""
    from scheduling.slots.models import Slot
    from scheduling.timetables.assembly import activity_key, staff_key

    if "wed-2" not in world.slots:
        world.slots["wed-2"] = f.SlotFactory(
            school=world.school, weekday=2, start=WED_2[0], end=WED_2[1], kind=Slot.Kind.ENRICHMENT
        )
    sol["meetings"].append(
        {
            "activity": activity_key(world.go.pk),
            "slot": "wed-2",
            "room": "art",
            "teacher": staff_key(world.chen.pk),
        }
    )
    return sol


def allocate(world, *, meetings=None, cancelled=(), enrollments=(), published_on=None):
    """Close the window, publish a run in which 书法 meets Wednesday 16:40 (``wed-1``) and 围棋
    Wednesday 17:50 (``wed-2``, a slot added here), and allocate the places (none: nobody
    ranked, unless ``enrollments`` — (child, activity) pairs — say whom the solution places).
    ``meetings`` are added to the solution; ``cancelled`` activities are listed cancelled.
    Returns the run."""
    from marketplace.enrolment.services import allocation_apply
    from scheduling.timetables.assembly import activity_key
    from scheduling.timetables.publishing import run_publish
    from tests.timetables import TERM_START, done_run, solution

    close_window(world)
    sol = with_go(world, solution(world, meetings=list(meetings or [])))
    sol["cancelled"] = [activity_key(a.pk) for a in cancelled]
    sol["enrollments"] = [{"student": f"s{c.pk}", "activity": activity_key(a.pk)} for c, a in enrollments]
    run = done_run(world, sol)
    run_publish(run=run, today=published_on or TERM_START - datetime.timedelta(days=10))
    run.refresh_from_db()
    world.window.refresh_from_db()
    if world.window.allocated_at is None:
        allocation_apply(run=run, today=TERM_START - datetime.timedelta(days=10))
        world.window.refresh_from_db()
    return run
