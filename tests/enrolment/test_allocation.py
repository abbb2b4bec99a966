"""Families' plans in the solver's problem, and places allocated from a published run."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from marketplace.enrolment.models import Enrolment
from marketplace.enrolment.services import EnrolmentError, allocation_apply, plan_save
from scheduling.solver.model import solve
from scheduling.solver.problem import load_problem
from scheduling.solver.validate import validate_problem, validate_solution
from scheduling.timetables.assembly import problem_assemble
from scheduling.timetables.publishing import run_publish
from tests import factories as f
from tests.enrolment import close_window, enrolment_world, with_go
from tests.timetables import TERM_START, done_run, solution

pytestmark = pytest.mark.django_db
BEFORE_TERM = TERM_START - datetime.timedelta(days=3)


def plan(world, child, ids, *, wants=1, days=(0, 2, 4)):
    return plan_save(
        child=child,
        term=world.term,
        user=world.parent.user,
        days=days,
        wants=wants,
        activity_ids_in_rank_order=ids,
    )


def second_child(world, name="小红"):
    parent = f.ParentFactory()
    return f.ChildFactory(household=parent.household, school_class=world.school_class, name=name), parent


def test_students_enter_the_problem_in_rank_order_and_keep_min_sizes():
    world = enrolment_world()
    world.activity.min_size = 2
    world.activity.save()
    without_plan = f.ChildFactory(school_class=world.school_class)
    problem = problem_assemble(school=world.school, term=world.term)
    assert problem["students"] == []
    assert {a["id"]: a["min_size"] for a in problem["activities"]}[f"a{world.activity.pk}"] == 0

    plan(world, world.child, [world.go.pk, world.activity.pk], wants=2, days=[2, 4])
    problem = problem_assemble(school=world.school, term=world.term)
    assert validate_problem(problem) == []
    assert problem["students"] == [
        {
            "id": f"s{world.child.pk}",
            "class": "3-2",
            "choices": [f"a{world.go.pk}", f"a{world.activity.pk}"],
            "wants": 2,
            "days": ["wed", "fri"],
        }
    ]
    assert f"s{without_plan.pk}" not in {s["id"] for s in problem["students"]}
    assert {a["id"]: a["min_size"] for a in problem["activities"]}[f"a{world.activity.pk}"] == 2
    # The class is still supervised.
    assert problem["classes"][0]["id"] == "3-2"


def test_days_without_slots_are_left_out_of_a_students_days():
    world = enrolment_world()
    plan(world, world.child, [world.go.pk], days=[0, 1])  # no slot on Tuesday
    problem = problem_assemble(school=world.school, term=world.term)
    assert problem["students"][0]["days"] == ["mon"]
    assert validate_problem(problem) == []


def published(world, sol, *, problem=None):
    run = done_run(world, sol)
    if problem is not None:
        run.problem = problem
        run.save()
    run_publish(run=run, today=BEFORE_TERM)
    run.refresh_from_db()
    return run


def rows(world):
    return sorted(
        (e.child_id, e.activity_id, e.status, e.choice_rank)
        for e in Enrolment.objects.filter(activity__school=world.school)
    )


def test_allocation_places_from_the_solution_and_lists_the_rest_waiting():
    world = enrolment_world()
    other, _parent = second_child(world)
    plan(world, world.child, [world.go.pk, world.activity.pk], wants=1)
    plan(world, other, [world.go.pk, world.activity.pk], wants=1)
    close_window(world)
    world.go.max_size = 1  # full: 小红 waits for it
    world.go.save()
    sol = with_go(world, solution(world))
    sol["enrollments"] = [
        {"student": f"s{world.child.pk}", "activity": f"a{world.go.pk}"},
        {"student": f"s{other.pk}", "activity": f"a{world.activity.pk}"},
    ]
    run = published(world, sol)  # problem {} carries no students: publish does not allocate
    assert not Enrolment.objects.exists()

    result = allocation_apply(run=run, today=BEFORE_TERM)
    assert result == {"placed": 2, "waiting": 1, "changed": True}
    assert rows(world) == sorted(
        [
            (world.child.pk, world.go.pk, "placed", 1),
            (other.pk, world.activity.pk, "placed", 2),
            (other.pk, world.go.pk, "waiting", 1),  # better than what they got
        ]
    )
    placed = Enrolment.objects.get(child=world.child, activity=world.go)
    assert placed.source == "allocation" and placed.joined_on == TERM_START
    world.window.refresh_from_db()
    assert world.window.allocated_run == run and world.window.allocated_at is not None

    # Idempotent: the same run again changes nothing.
    ids = sorted(Enrolment.objects.values_list("pk", flat=True))
    assert allocation_apply(run=run, today=BEFORE_TERM)["changed"] is False
    assert sorted(Enrolment.objects.values_list("pk", flat=True)) == ids


def test_waiting_order_is_by_rank_then_fewer_places_and_families_see_it(client):
    world = enrolment_world()
    b, _pb = second_child(world, "小红")
    c, _pc = second_child(world, "小刚")
    plan(world, world.child, [world.go.pk], wants=1)  # nothing placed, rank 1
    plan(world, b, [world.activity.pk, world.go.pk], wants=1)  # waiting on 围棋 at rank 2
    plan(world, c, [world.go.pk, world.activity.pk], wants=2)  # placed in 书法, waiting 围棋 rank 1
    d, _pd = second_child(world, "小丽")
    plan(world, d, [world.go.pk], wants=1)  # holds 围棋's only seat
    world.go.max_size = 1
    world.go.save()
    close_window(world)
    sol = with_go(world, solution(world))
    sol["enrollments"] = [
        {"student": f"s{b.pk}", "activity": f"a{world.activity.pk}"},
        {"student": f"s{c.pk}", "activity": f"a{world.activity.pk}"},
        {"student": f"s{d.pk}", "activity": f"a{world.go.pk}"},
    ]
    run = published(world, sol)
    allocation_apply(run=run, today=BEFORE_TERM)
    queue = list(
        Enrolment.objects.filter(activity=world.go, status="waiting")
        .order_by("pk")
        .values_list("child_id", flat=True)
    )
    # Rank 1 first (the child with no place before the one with one), rank 2 last;
    # b already holds their first choice, so they do not wait for their second.
    assert queue == [world.child.pk, c.pk]

    client.force_login(world.parent.user)
    page = client.get(reverse("enrolment:household", args=[world.parent.household.pk])).content.decode()
    assert 'data-result="waiting"' in page and 'data-position="1"' in page
    client.force_login(_pc.user)
    page = client.get(reverse("enrolment:household", args=[_pc.household.pk])).content.decode()
    assert 'data-testid="result-placed"' in page and 'data-position="2"' in page


def test_allocation_refusals():
    world = enrolment_world()
    plan(world, world.child, [world.go.pk])
    unpublished = done_run(world, solution(world))
    with pytest.raises(EnrolmentError) as caught:
        allocation_apply(run=unpublished, today=BEFORE_TERM)
    assert caught.value.code == "not_published"
    run = published(world, solution(world))
    with pytest.raises(EnrolmentError) as caught:  # window still open
        allocation_apply(run=run, today=BEFORE_TERM)
    assert caught.value.code == "window_open"
    close_window(world)
    allocation_apply(run=run, today=BEFORE_TERM)
    other = published(world, solution(world))
    with pytest.raises(EnrolmentError) as caught:  # places of the first run have started
        allocation_apply(run=other, today=TERM_START)
    assert caught.value.code == "allocation_running"
    world.window.refresh_from_db()
    assert world.window.allocated_run == run


def test_a_republish_before_the_term_replaces_the_allocation():
    world = enrolment_world()
    plan(world, world.child, [world.go.pk, world.activity.pk], wants=1)
    close_window(world)
    first = solution(world)
    first["enrollments"] = [{"student": f"s{world.child.pk}", "activity": f"a{world.activity.pk}"}]
    run = published(world, first)
    allocation_apply(run=run, today=BEFORE_TERM)
    second = with_go(world, solution(world))
    second["enrollments"] = [{"student": f"s{world.child.pk}", "activity": f"a{world.go.pk}"}]
    again = published(world, second)
    allocation_apply(run=again, today=BEFORE_TERM)
    assert rows(world) == [(world.child.pk, world.go.pk, "placed", 1)]


def test_end_to_end_rank_solve_publish_allocate():
    world = enrolment_world(max_choices=2, max_activities=1)
    world.activity.max_size = 1
    world.activity.save()
    world.go.max_size = 1
    world.go.save()
    # A second room of the activities' kind, so both can meet in the one enrichment slot
    # (王丽 teaches 书法, 陈刚 围棋: duties stay even, which the objective wants).
    world.classroom.kinds.add(world.activity.room_kind)
    other, _parent = second_child(world)
    plan(world, world.child, [world.go.pk, world.activity.pk], wants=1, days=[0, 2, 4])
    plan(world, other, [world.go.pk, world.activity.pk], wants=1, days=[2, 4])
    close_window(world)

    problem = problem_assemble(school=world.school, term=world.term)
    assert validate_problem(problem) == []
    assert len(problem["students"]) == 2
    sol = solve(load_problem(problem), time_limit=10).to_dict()
    assert sol["status"] in ("optimal", "feasible")
    assert validate_solution(problem, sol) == []
    # Both rank 围棋 (one seat) first: one gets it, the other their second choice 书法.
    assert sorted(e["activity"] for e in sol["enrollments"]) == sorted(
        [f"a{world.go.pk}", f"a{world.activity.pk}"]
    )
    run = done_run(world, sol)
    run.problem = problem
    run.save()
    run_publish(run=run, today=BEFORE_TERM)  # allocates through the publish hook
    world.window.refresh_from_db()
    assert world.window.allocated_run_id == run.pk

    expected = {(int(e["student"][1:]), int(e["activity"][1:])) for e in sol["enrollments"]}
    placed = set(Enrolment.objects.filter(status="placed").values_list("child_id", "activity_id"))
    assert placed == expected and expected
    for enrolment in Enrolment.objects.filter(status="placed"):
        choices = problem["students"][[s["id"] for s in problem["students"]].index(f"s{enrolment.child_id}")]
        assert enrolment.choice_rank == choices["choices"].index(f"a{enrolment.activity_id}") + 1
    # The child who got their second choice waits for the first.
    waiting = Enrolment.objects.get(status="waiting")
    assert (waiting.activity_id, waiting.choice_rank) == (world.go.pk, 1)
    # Publishing the same run again (e.g. a retry) changes no places.
    before = sorted(Enrolment.objects.values_list("pk", "status"))
    allocation_apply(run=run, today=BEFORE_TERM)
    assert sorted(Enrolment.objects.values_list("pk", "status")) == before
    assert timezone.now() > world.window.closes_at


def test_the_publish_hook_allocates_only_after_the_window_and_never_reshuffles_a_running_term(monkeypatch):
    world = enrolment_world()
    plan(world, world.child, [world.activity.pk])
    problem = problem_assemble(school=world.school, term=world.term)
    sol = solution(world)
    sol["enrollments"] = [{"student": f"s{world.child.pk}", "activity": f"a{world.activity.pk}"}]
    published(world, sol, problem=problem)  # window still open: no places
    assert not Enrolment.objects.exists()

    close_window(world)
    first = published(world, sol, problem=problem)
    world.window.refresh_from_db()
    assert world.window.allocated_run == first
    assert rows(world) == [(world.child.pk, world.activity.pk, "placed", 1)]

    # Once the term has started, a later publish keeps the places.
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TERM_START)
    second = published(world, solution(world), problem=problem)
    assert second.published_at is not None
    world.window.refresh_from_db()
    assert world.window.allocated_run == first
    assert rows(world) == [(world.child.pk, world.activity.pk, "placed", 1)]
