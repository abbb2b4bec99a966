"""An accepted request in the school's timetable: the assembled problem (with the allowed
slots and the vendor's instructors), its validity, the checklist and the checklist page."""

import pytest
from django.urls import reverse

from marketplace.course_requests.services import course_request_accept
from marketplace.courses.models import Activity
from scheduling.solver.model import solve
from scheduling.solver.problem import load_problem
from scheduling.solver.validate import validate_problem
from scheduling.timetables.assembly import (
    activity_key,
    checklist,
    checklist_activities,
    instructor_key,
    problem_assemble,
    vendor_key,
)
from tests.course_requests import build_world, request_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def accept(world, instructors, **fields):
    course_request = request_for(world, **fields)
    return course_request_accept(
        course_request=course_request, user=world.vendor_member.user, instructors=instructors
    )


def rows_of(problem, activities):
    by_id = {row["id"]: row for row in problem["activities"]}
    return [by_id[activity_key(a.pk)] for a in activities]


def test_the_accepted_activities_are_in_the_problem_with_their_slots_and_vendor(world):
    activities = accept(world, [world.li, world.zhang], groups=2, meetings_per_week=1)
    problem = problem_assemble(school=world.school, term=world.term)
    assert validate_problem(problem) == []
    assert [s["id"] for s in problem["slots"]] == ["mon-1", "wed-1", "thu-1", "fri-1"]
    first, second = rows_of(problem, activities)
    for row in (first, second):
        assert row["provider"] == vendor_key(world.vendor.pk)
        assert row["subject"] == world.course.subject.code
        assert row["grades"] == [3, 4] and row["meetings"] == 1
        assert row["room_kind"] == "sports" and row["max_size"] == 25
        assert row["slots"] == ["mon-1", "wed-1"]
    assert first["instructor"] == instructor_key(world.li.pk)
    assert second["instructor"] == instructor_key(world.zhang.pk)
    (vendor,) = problem["vendors"]
    assert vendor["id"] == vendor_key(world.vendor.pk)
    available = {i["id"]: i["available"] for i in vendor["instructors"]}
    assert available == {
        instructor_key(world.li.pk): ["mon-1", "wed-1"],
        instructor_key(world.zhang.pk): ["wed-1"],
        instructor_key(world.idle.pk): [],
    }


def test_without_chosen_slots_the_problem_leaves_slots_out_and_the_solver_picks_the_teacher(world):
    activities = accept(world, [world.li], groups=2, slots=[], meetings_per_week=1)
    problem = problem_assemble(school=world.school, term=world.term)
    assert validate_problem(problem) == []
    for row in rows_of(problem, activities):
        assert "slots" not in row and "instructor" not in row


def test_the_solver_places_the_bought_groups_within_their_slots_and_teachers(world):
    activities = accept(world, [world.li, world.zhang], groups=2, meetings_per_week=1)
    problem = problem_assemble(school=world.school, term=world.term)
    # Families choose once enrolment exists; until then, one pupil who wants both
    # groups gives the solver a reason to run them.
    problem["students"] = [
        {"id": "s1", "class": "3-2", "choices": [activity_key(a.pk) for a in activities], "wants": 2}
    ]
    assert validate_problem(problem) == []
    solution = solve(load_problem(problem), time_limit=10, workers=1)
    assert solution.status in ("optimal", "feasible")
    meetings = {m.activity: m for m in solution.meetings}
    first, second = (meetings[activity_key(a.pk)] for a in activities)
    assert first.teacher == instructor_key(world.li.pk) and first.slot in ("mon-1", "wed-1")
    assert second.teacher == instructor_key(world.zhang.pk) and second.slot == "wed-1"
    assert first.room == second.room == "gym" and first.slot != second.slot


def test_the_checklist_is_clear_for_accepted_activities_and_lists_them(world):
    activities = accept(world, [world.li], meetings_per_week=2)
    codes = [item.code for item in checklist(school=world.school, term=world.term)]
    assert "activity_without_teacher" not in codes and "room_kind_missing" not in codes
    (line,) = checklist_activities(school=world.school, term=world.term)
    assert line.id == activity_key(activities[0].pk)
    assert line.provider == "星火体育" and line.instructor == "李强"
    assert line.slots == ("mon-1", "wed-1") and line.grades == "3–4" and line.meetings == 2
    assert line.course_request_id == activities[0].course_request_id


def test_the_checklist_flags_a_fixed_instructor_no_longer_available_in_the_slots(world):
    (activity,) = accept(world, [world.li], meetings_per_week=2)
    world.li.availability.filter(weekday=0).delete()  # no more Mondays
    items = checklist(school=world.school, term=world.term)
    (item,) = [i for i in items if i.code == "activity_without_teacher"]
    assert activity.name in item.message
    assert item.fix_url == reverse("admin:courses_activity_change", args=[activity.pk])


def test_the_checklist_flags_allowed_slots_on_fewer_days_than_meetings(world):
    (activity,) = accept(world, [world.li], meetings_per_week=2)
    Activity.objects.filter(pk=activity.pk).update(meetings_per_week=3)
    items = checklist(school=world.school, term=world.term)
    assert "activity_slots_too_few" in [i.code for i in items]


def test_the_timetable_checklist_page_shows_the_bought_activities(client, world):
    activities = accept(world, [world.li, world.zhang], groups=2, meetings_per_week=1)
    client.force_login(world.admin.user)
    response = client.get(reverse("timetables:home", args=[world.school.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="checklist-activities"' in html
    for activity in activities:
        assert f'data-activity="{activity_key(activity.pk)}"' in html
        assert activity.name in html
    assert html.count('data-testid="bought"') == 2
    assert "星火体育" in html and "李强" in html and "张敏" in html
    assert "mon-1" in html and "wed-1" in html
    assert {line.id for line in response.context["readiness"].activities} == {
        activity_key(a.pk) for a in activities
    }
