"""Assembling the problem from the database, the checklist, and cross-school availability."""

import datetime

import pytest

from scheduling.slots.models import Slot
from scheduling.solver.validate import validate_problem
from scheduling.timetables.assembly import checklist, problem_assemble
from scheduling.timetables.models import DatedSession, TimetableRun
from tests import factories as f
from tests.timetables import build_school

pytestmark = pytest.mark.django_db
T = datetime.time


def codes(items):
    return [item.code for item in items]


def test_the_assembled_problem_is_valid_and_complete():
    world = build_school()
    world.wang.rest_days = 0b00001  # Mondays
    world.wang.save()
    world.chen.unavailable.add(world.slots["fri-1"])
    problem = problem_assemble(school=world.school, term=world.term)
    assert validate_problem(problem) == []
    assert problem["days"] == ["mon", "wed", "fri"]
    assert [s["id"] for s in problem["slots"]] == ["mon-1", "wed-1", "fri-1"]
    staff = {s["id"]: s for s in problem["staff"]}
    assert staff[f"t{world.wang.pk}"]["rest_days"] == ["mon"]
    assert staff[f"t{world.chen.pk}"]["unavailable"] == ["fri-1"]
    assert problem["classes"][0] == {
        "id": "3-2",
        "grade": 3,
        "size": world.school_class.size,
        "home_room": "r302",
        "days": ["mon", "wed", "fri"],
    }
    assert problem["activities"][0]["id"] == f"a{world.activity.pk}"
    assert problem["students"] == []


def test_checklist_is_empty_for_a_complete_school():
    world = build_school()
    world.activity.room_kind = world.art.kinds.first() or f.RoomKindFactory()
    world.art.kinds.add(world.activity.room_kind)
    world.activity.save()
    world.wang.subjects.add(world.activity.course.subject)
    assert codes(checklist(school=world.school, term=world.term)) == []


def test_checklist_names_a_class_without_home_room():
    world = build_school()
    lost = f.SchoolClassFactory(school=world.school, grade=4, number=1, home_room=None)
    items = checklist(school=world.school, term=world.term)
    item = next(i for i in items if i.code == "class_without_home_room")
    assert "4-1" in item.message and item.blocking
    assert item.fix_url.endswith(f"/schoolclass/{lost.pk}/change/")


def test_checklist_names_an_activity_no_one_can_teach_and_a_missing_room_kind():
    world = build_school()
    items = checklist(school=world.school, term=world.term)
    assert "activity_without_teacher" in codes(items)
    world.wang.subjects.add(world.activity.course.subject)
    items = checklist(school=world.school, term=world.term)
    assert "activity_without_teacher" not in codes(items)
    kind = f.RoomKindFactory(code="pool")
    world.activity.room_kind = kind
    world.activity.save()
    items = checklist(school=world.school, term=world.term)
    assert "room_kind_missing" in codes(items)


def test_checklist_blocks_a_school_without_slots_or_staff():
    school = f.SchoolFactory()
    term = f.TermFactory()
    found = {i.code: i.blocking for i in checklist(school=school, term=term)}
    assert found == {"no_slots": True, "no_staff": True}


def test_vendor_instructors_busy_at_another_school_are_not_double_booked():
    world = build_school()
    vendor = f.VendorFactory()
    instructor = f.InstructorFactory(vendor=vendor)
    f.InstructorAvailabilityFactory(instructor=instructor, weekday=2, start=T(15, 0), end=T(18, 0))
    course = f.CourseFactory(vendor=vendor, grade_min=1, grade_max=6)
    f.ActivityFactory(
        school=world.school, term=world.term, course=course, vendor=vendor, grade_min=3, grade_max=3
    )
    problem = problem_assemble(school=world.school, term=world.term)
    available = {i["id"]: i["available"] for v in problem["vendors"] for i in v["instructors"]}
    assert available[f"i{instructor.pk}"] == ["wed-1"]

    # The same instructor teaches at another school on Wednesdays 16:00–17:00 (published).
    other = world.other_school
    other_slot = f.SlotFactory(
        school=other, weekday=2, start=T(16, 0), end=T(17, 0), kind=Slot.Kind.ENRICHMENT
    )
    room = f.RoomFactory(school=other)
    other_activity = f.ActivityFactory(
        school=other, term=world.term, course=course, vendor=vendor, grade_min=3, grade_max=3
    )
    run = TimetableRun.objects.create(school=other, term=world.term, problem={}, status="done")
    f.dated_session(
        run,
        datetime.date(2026, 9, 9),
        other_slot,
        kind=DatedSession.Kind.MEETING,
        activity=other_activity,
        instructor=instructor,
        room=room,
    )
    problem = problem_assemble(school=world.school, term=world.term)
    available = {i["id"]: i["available"] for v in problem["vendors"] for i in v["instructors"]}
    assert available[f"i{instructor.pk}"] == []


def test_staff_shared_with_another_school_are_not_double_booked():
    world = build_school()
    teacher = f.TeacherFactory(school=world.school, staff=world.wang)
    other = world.other_school
    elsewhere = f.StaffMemberFactory(school=other)
    f.TeacherFactory(user=teacher.user, school=other, staff=elsewhere)
    other_slot = f.SlotFactory(
        school=other, weekday=0, start=T(16, 0), end=T(17, 0), kind=Slot.Kind.SUPERVISED
    )
    home = f.RoomFactory(school=other)
    other_class = f.SchoolClassFactory(school=other, home_room=home)
    run = TimetableRun.objects.create(school=other, term=world.term, problem={}, status="done")
    f.dated_session(
        run,
        datetime.date(2026, 9, 7),
        other_slot,
        kind=DatedSession.Kind.SUPERVISION,
        school_class=other_class,
        staff=elsewhere,
        room=home,
    )
    problem = problem_assemble(school=world.school, term=world.term)
    staff = {s["id"]: s for s in problem["staff"]}
    assert staff[f"t{world.wang.pk}"]["unavailable"] == ["mon-1"]
    assert staff[f"t{world.chen.pk}"]["unavailable"] == []
