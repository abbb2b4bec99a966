"""Property test of the enrolment rules: whatever order ranked allocation, late joins,
withdrawals, cancellations and school moves come in, no activity is overbooked, no child
holds a place in a cancelled activity or two places meeting at once or more places than
their limits, and no seat stays free while a child the rules would admit waits for it.

A small school is built once (``school`` fixture): four grade-3 activities, each taught by
its own teacher in its own room, five children of class 3-2, a closed window allowing two
activities per child. Each example draws the activities' sizes and slots (three enrichment
slots, so activities sharing one clash), which are cancelled from the start, the families'
plans, the solver's proposed places (any, even bad ones: the rules must refuse them), and a
sequence of operations; it runs inside a savepoint rolled back at its end.

The checks are written from the school's own facts (slots, sizes, cancellations), not with
``marketplace.enrolment.rules``, so a rule broken there shows here.
"""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.weekdays import mask_from_days
from marketplace.enrolment.models import Choice, Enrolment, TermPlan
from marketplace.enrolment.services import (
    EnrolmentError,
    allocation_apply,
    enrolment_late_join,
    enrolment_move,
    enrolment_withdraw,
    window_save,
)
from scheduling.slots.models import Slot
from scheduling.timetables.assembly import activity_key, staff_key
from scheduling.timetables.publishing import run_publish
from tests import factories as f
from tests.timetables import TERM_START, build_school, done_run, solution

pytestmark = pytest.mark.django_db

ACTIVITIES = 4
CHILDREN = 5
MAX_ACTIVITIES = 2
SLOTS = ["wed-1", "wed-2", "mon-2"]
BEFORE_TERM = TERM_START - datetime.timedelta(days=3)
TODAY = TERM_START + datetime.timedelta(days=2)


@pytest.fixture
def school():
    world = build_school()
    T = datetime.time
    f.SlotFactory(school=world.school, weekday=2, start=T(17, 50), end=T(18, 50), kind=Slot.Kind.ENRICHMENT)
    f.SlotFactory(school=world.school, weekday=0, start=T(16, 40), end=T(17, 40), kind=Slot.Kind.ENRICHMENT)
    kind = world.activity.room_kind
    world.activities, world.rooms, world.teachers = [], [], []
    for i in range(ACTIVITIES):
        world.activities.append(
            f.SchoolActivityFactory(
                course__school=world.school,
                course__grade_min=3,
                course__grade_max=3,
                term=world.term,
                name=f"活动{i}",
                room_kind=kind,
            )
        )
        room = f.RoomFactory(school=world.school, code=f"x{i}")
        room.kinds.add(kind)
        world.rooms.append(room)
        world.teachers.append(f.StaffMemberFactory(school=world.school, name=f"老师{i}"))
    world.school_class.days = mask_from_days([0, 1, 2, 3, 4])
    world.school_class.save()
    world.children = [
        f.ChildFactory(
            household=f.ParentFactory().household,
            school_class=world.school_class,
            name=f"孩子{i}",
            days=mask_from_days([0, 1, 2, 3, 4]),
        )
        for i in range(CHILDREN)
    ]
    now = datetime.datetime.now(datetime.UTC)
    world.window = window_save(
        school=world.school,
        term=world.term,
        opens_at=now - datetime.timedelta(days=3),
        closes_at=now - datetime.timedelta(days=1),
        max_choices=ACTIVITIES,
        max_activities=MAX_ACTIVITIES,
    )
    return world


plan_strategy = st.lists(st.integers(0, ACTIVITIES - 1), unique=True, max_size=ACTIVITIES).flatmap(
    lambda ranks: st.tuples(
        st.just(ranks), st.integers(1, max(1, min(len(ranks), MAX_ACTIVITIES))) if ranks else st.just(0)
    )
)
op_strategy = st.one_of(
    st.tuples(st.just("join"), st.integers(0, CHILDREN - 1), st.integers(0, ACTIVITIES - 1)),
    st.tuples(st.just("withdraw"), st.integers(0, 99), st.just(0)),
    st.tuples(st.just("move"), st.integers(0, 99), st.integers(0, ACTIVITIES - 1)),
    st.tuples(st.just("cancel"), st.integers(0, ACTIVITIES - 1), st.just(0)),
)
scenario = st.fixed_dictionaries(
    {
        "sizes": st.lists(st.integers(1, 3), min_size=ACTIVITIES, max_size=ACTIVITIES),
        "slots": st.lists(st.sampled_from(SLOTS), min_size=ACTIVITIES, max_size=ACTIVITIES),
        "cancelled": st.sets(st.integers(0, ACTIVITIES - 1), max_size=1),
        "plans": st.lists(plan_strategy, min_size=CHILDREN, max_size=CHILDREN),
        "proposed": st.lists(
            st.tuples(st.integers(0, CHILDREN - 1), st.integers(0, ACTIVITIES - 1)), max_size=8
        ),
        "ops": st.lists(op_strategy, max_size=10),
    }
)


def publish(world, facts, *, today):
    sol = solution(
        world,
        meetings=[
            {
                "activity": activity_key(activity.pk),
                "slot": facts["slots"][i],
                "room": world.rooms[i].code,
                "teacher": staff_key(world.teachers[i].pk),
            }
            for i, activity in enumerate(world.activities)
            if i not in facts["cancelled"]
        ],
    )
    sol["cancelled"] = [activity_key(world.activities[i].pk) for i in sorted(facts["cancelled"])]
    sol["enrollments"] = [
        {"student": f"s{world.children[c].pk}", "activity": activity_key(world.activities[a].pk)}
        for c, a in facts["proposed"]
    ]
    run = done_run(world, sol)
    run_publish(run=run, today=today)
    run.refresh_from_db()
    return run


def admissible(world, facts, waiting: Enrolment) -> bool:
    """Whether the rules must admit this waiting child into a free seat (no trade needed)."""
    index = {a.pk: i for i, a in enumerate(world.activities)}
    here = index[waiting.activity_id]
    if here in facts["cancelled"]:
        return False
    held = [
        index[pk]
        for pk in Enrolment.objects.filter(child_id=waiting.child_id, status="placed").values_list(
            "activity_id", flat=True
        )
    ]
    if any(facts["slots"][i] == facts["slots"][here] for i in held):
        return False
    wants = facts["plans"][[c.pk for c in world.children].index(waiting.child_id)][1]
    return len(held) < MAX_ACTIVITIES and (wants < 1 or len(held) < wants)


def check_invariants(world, facts, step):
    for i, activity in enumerate(world.activities):
        placed = Enrolment.objects.filter(activity=activity, status="placed")
        assert placed.count() <= facts["sizes"][i], f"{step}: activity {i} overbooked"
        if i in facts["cancelled"]:
            assert not Enrolment.objects.filter(
                activity=activity, status__in=["placed", "waiting"]
            ).exists(), f"{step}: a live enrolment in cancelled activity {i}"
        if placed.count() < facts["sizes"][i]:
            for waiting in Enrolment.objects.filter(activity=activity, status="waiting"):
                assert not admissible(world, facts, waiting), (
                    f"{step}: a seat of activity {i} is free while child {waiting.child_id} waits"
                )
    index = {a.pk: i for i, a in enumerate(world.activities)}
    for c, child in enumerate(world.children):
        held = [
            index[pk]
            for pk in Enrolment.objects.filter(child=child, status="placed").values_list(
                "activity_id", flat=True
            )
        ]
        slots = [facts["slots"][i] for i in held]
        assert len(slots) == len(set(slots)), f"{step}: child {c} holds two places meeting at once"
        assert len(held) <= MAX_ACTIVITIES, f"{step}: child {c} over the window's limit"
        wants = facts["plans"][c][1]
        assert wants < 1 or len(held) <= wants, f"{step}: child {c} over the plan's wants"


def run_scenario(world, facts):
    facts = {**facts, "cancelled": set(facts["cancelled"])}
    for i, activity in enumerate(world.activities):
        activity.max_size = facts["sizes"][i]
        activity.save(update_fields=["max_size"])
    for child, (ranks, wants) in zip(world.children, facts["plans"], strict=True):
        plan = TermPlan.objects.create(
            child=child, term=world.term, days=mask_from_days([0, 1, 2, 3, 4]), wants=wants
        )
        Choice.objects.bulk_create(
            [Choice(plan=plan, activity=world.activities[a], rank=r) for r, a in enumerate(ranks, start=1)]
        )
    run = publish(world, facts, today=BEFORE_TERM)
    allocation_apply(run=run, today=BEFORE_TERM)
    check_invariants(world, facts, "allocation")
    for step, (op, x, y) in enumerate(facts["ops"]):
        live = list(Enrolment.objects.filter(status__in=["placed", "waiting"]).order_by("pk"))
        placed = [e for e in live if e.status == "placed"]
        try:
            if op == "join":
                enrolment_late_join(
                    child=world.children[x], activity=world.activities[y], user=None, today=TODAY
                )
            elif op == "withdraw" and live:
                enrolment_withdraw(enrolment=live[x % len(live)], user=None, today=TODAY)
            elif op == "move" and placed:
                enrolment_move(
                    enrolment=placed[x % len(placed)], activity=world.activities[y], user=None, today=TODAY
                )
            elif op == "cancel":
                facts["cancelled"].add(x)
                publish(world, {**facts, "proposed": []}, today=TODAY)
        except EnrolmentError as error:
            assert error.code, f"{step}: {op} refused without a code"
        check_invariants(world, facts, f"step {step} ({op})")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(facts=scenario)
def test_enrolment_rules_hold_in_any_order(school, facts):
    with transaction.atomic():
        try:
            run_scenario(school, facts)
        finally:
            transaction.set_rollback(True)
