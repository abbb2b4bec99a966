"""One rule set for every way into a place: ranked allocation, late joining, promotion from
the waiting list and the school's moves (``marketplace.enrolment.rules``).

The world (``tests.enrolment``): after ``allocate``, 书法 (``world.activity``) meets Wednesday
16:40 (``wed-1``) and 围棋 (``world.go``) Wednesday 17:50 (``wed-2``). ``third`` below is a
grade-3 activity meeting where a test puts it: ``wed-1`` (clashing with 书法), ``mon-2``
(Monday 16:40, clashing with nothing), or nowhere.
"""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from marketplace.enrolment.models import Choice, Enrolment, TermPlan
from marketplace.enrolment.selectors import late_options
from marketplace.enrolment.services import (
    EnrolmentError,
    allocation_apply,
    enrolment_late_join,
    enrolment_move,
    enrolment_withdraw,
    plan_save,
)
from marketplace.enrolment.signals import enrolment_withdrawn
from scheduling.slots.models import Slot
from scheduling.timetables.assembly import activity_key, problem_assemble, staff_key
from scheduling.timetables.publishing import run_publish
from tests import factories as f
from tests.enrolment import allocate, enrolment_world
from tests.timetables import TERM_START, done_run, solution

pytestmark = pytest.mark.django_db
TODAY = TERM_START + datetime.timedelta(days=2)
BEFORE_TERM = TERM_START - datetime.timedelta(days=3)


@pytest.fixture(autouse=True)
def _in_term(monkeypatch):
    monkeypatch.setattr("schools.selectors.today", lambda: TODAY)


def third_activity(world, *, max_size=30):
    third = f.SchoolActivityFactory(
        course__school=world.school,
        course__grade_min=3,
        course__grade_max=3,
        term=world.term,
        name="机器人",
        max_size=max_size,
    )
    world.classroom.kinds.add(third.room_kind)
    world.wang.subjects.add(third.course.subject)
    return third


def meeting(activity, slot, *, room="r303", teacher=None):
    return {
        "activity": activity_key(activity.pk),
        "slot": slot,
        "room": room,
        "teacher": staff_key(teacher.pk),
    }


def mon_2(world):
    world.slots["mon-2"] = f.SlotFactory(
        school=world.school,
        weekday=0,
        start=datetime.time(16, 40),
        end=datetime.time(17, 40),
        kind=Slot.Kind.ENRICHMENT,
    )


def pupil(world, name):
    parent = f.ParentFactory()
    return f.ChildFactory(household=parent.household, school_class=world.school_class, name=name)


def join(child, activity, today=TODAY):
    return enrolment_late_join(child=child, activity=activity, user=None, today=today)


def refused(code, fn, *args, **kwargs):
    before = sorted(Enrolment.objects.values_list("pk", "status"))
    with pytest.raises(EnrolmentError) as caught:
        fn(*args, **kwargs)
    assert caught.value.code == code, caught.value.messages
    assert sorted(Enrolment.objects.values_list("pk", "status")) == before


def ranked(world, child, activities, *, wants=1):
    plan = TermPlan.objects.create(child=child, term=world.term, wants=wants)
    for rank, activity in enumerate(activities, start=1):
        Choice.objects.create(plan=plan, activity=activity, rank=rank)
    return plan


# --- late enrolment opens after the allocation; the window's limit; the problem's capacity ----


def test_the_windows_max_activities_applies_to_late_joins():
    """A child without ranked choices could join three activities in a window allowing two."""
    world = enrolment_world(max_activities=2)
    third = third_activity(world)
    mon_2(world)
    allocate(world, meetings=[meeting(third, "mon-2", teacher=world.wang)])
    assert join(world.child, world.activity).status == "placed"
    assert join(world.child, world.go).status == "placed"
    refused("max_activities_reached", join, world.child, third)


def test_the_assembled_problem_counts_places_already_held():
    world = enrolment_world()
    world.go.max_size, world.go.min_size = 5, 3
    world.go.save()
    allocate(world)
    join(world.child, world.go)
    join(pupil(world, "小红"), world.go)
    row = next(
        a
        for a in problem_assemble(school=world.school, term=world.term)["activities"]
        if a["id"] == activity_key(world.go.pk)
    )
    assert (row["max_size"], row["min_size"]) == (3, 0)  # no students in the problem: min 0
    ranked(world, pupil(world, "小刚"), [world.go])
    row = next(
        a
        for a in problem_assemble(school=world.school, term=world.term)["activities"]
        if a["id"] == activity_key(world.go.pk)
    )
    assert (row["max_size"], row["min_size"]) == (3, 1)


def test_a_reallocation_never_overbooks_past_places_held_outside_it():
    """Late places exist, then a re-publish before the term re-allocates: the solution's
    place that no longer fits becomes a waiting entry."""
    world = enrolment_world()
    world.go.max_size = 1
    world.go.save()
    allocate(world)
    late = join(world.child, world.go, today=BEFORE_TERM)
    chosen = pupil(world, "小红")
    ranked(world, chosen, [world.go])
    sol = solution(world, meetings=[meeting(world.go, "wed-2", room="art", teacher=world.chen)])
    sol["enrollments"] = [{"student": f"s{chosen.pk}", "activity": f"a{world.go.pk}"}]
    run = done_run(world, sol)
    run_publish(run=run, today=BEFORE_TERM)
    run.refresh_from_db()
    allocation_apply(run=run, today=BEFORE_TERM)
    assert Enrolment.objects.filter(activity=world.go, status="placed").count() == 1
    late.refresh_from_db()
    assert late.status == "placed"
    assert Enrolment.objects.get(child=chosen).status == "waiting"


# --- the waiting list before any newcomer ------------------------------------------------------


def test_seats_the_solution_left_free_go_to_the_ranked_waiting_list():
    world = enrolment_world()
    world.go.max_size = 5
    world.go.save()
    other = pupil(world, "小红")
    ranked(world, world.child, [world.go])
    ranked(world, other, [world.go])
    allocate(world, enrollments=[(world.child, world.go)])  # the solution left 小红 out
    assert Enrolment.objects.get(child=world.child).status == "placed"
    promoted = Enrolment.objects.get(child=other)
    assert (promoted.status, promoted.source) == ("placed", "waiting_list")


def test_a_newcomer_joins_the_waiting_list_while_ranked_families_wait():
    world = enrolment_world()
    world.go.max_size = 2
    world.go.save()
    allocate(world)
    # Two ranked children wait, though seats are free (how the allocation left it before).
    waiting = [
        Enrolment.objects.create(
            child=pupil(world, name),
            activity=world.go,
            status="waiting",
            source="allocation",
            choice_rank=1,
            joined_on=TERM_START,
        )
        for name in ("小红", "小刚")
    ]
    assert late_options(child=world.child, term=world.term, today=TODAY)[1].free_places == 0
    newcomer = join(world.child, world.go)
    assert newcomer.status == "waiting"
    for row in waiting:
        row.refresh_from_db()
        assert (row.status, row.source) == ("placed", "waiting_list")


def test_free_places_shown_leave_out_the_waiting_list(client):
    world = enrolment_world()
    world.go.max_size = 3
    world.go.save()
    allocate(world)
    Enrolment.objects.create(
        child=pupil(world, "a"), activity=world.go, status="placed", source="late", joined_on=TODAY
    )
    Enrolment.objects.create(
        child=pupil(world, "b"), activity=world.go, status="waiting", source="late", joined_on=TODAY
    )
    option = next(
        o for o in late_options(child=world.child, term=world.term, today=TODAY) if o.activity == world.go
    )
    assert (option.free_places, option.waiting) == (1, 1)
    client.force_login(world.parent.user)
    page = client.get(reverse("enrolment:household", args=[world.parent.household.pk])).content.decode()
    assert f'data-activity="{world.go.pk}" data-closed=""' in page


# --- cancelled activities ----------------------------------------------------------------------


def test_a_cancelled_activity_is_neither_offered_nor_joinable(client):
    world = enrolment_world()
    third = third_activity(world)
    allocate(world, cancelled=[third])
    refused("activity_cancelled", join, world.child, third)
    client.force_login(world.parent.user)
    page = client.get(reverse("enrolment:household", args=[world.parent.household.pk])).content.decode()
    row = page[page.index(f'data-activity="{third.pk}" data-closed="activity_cancelled"') :]
    row = row[: row.index("</tr>")]
    assert 'data-testid="cancelled"' in row and 'data-testid="join"' not in row
    # A ranked choice of it reads "cancelled", never "placed".
    plan = ranked(world, pupil(world, "小红"), [third])
    from marketplace.enrolment.selectors import choice_results

    assert [r.result for r in choice_results(child=plan.child, term=world.term, today=TODAY)] == ["cancelled"]


def test_a_sessionless_activity_is_not_joinable_after_publishing():
    world = enrolment_world()
    third = third_activity(world)
    allocate(world)  # third is neither met nor listed cancelled
    refused("activity_cancelled", join, world.child, third)


def test_a_later_cancellation_releases_places_refunds_and_tells_the_family(
    django_capture_on_commit_callbacks,
):
    world = enrolment_world()
    world.go.max_size = 1
    world.go.save()
    allocate(world)
    placed = join(world.child, world.go)
    waiting = join(pupil(world, "小红"), world.go)
    signalled = []

    def receiver(sender, *, enrolment, **kwargs):
        signalled.append((enrolment.pk, enrolment.status, enrolment.left_because))

    enrolment_withdrawn.connect(receiver)
    try:
        sol = solution(world)  # re-published without 围棋: cancelled
        sol["cancelled"] = [activity_key(world.go.pk)]
        with django_capture_on_commit_callbacks(execute=True):
            run_publish(run=done_run(world, sol), today=TODAY + datetime.timedelta(days=1))
    finally:
        enrolment_withdrawn.disconnect(receiver)
    placed.refresh_from_db()
    waiting.refresh_from_db()
    later = TODAY + datetime.timedelta(days=1)
    assert (placed.status, placed.left_on, placed.left_because) == ("withdrawn", later, "cancelled")
    assert (waiting.status, waiting.left_because) == ("withdrawn", "cancelled")
    assert sorted(signalled) == sorted(
        [(placed.pk, "withdrawn", "cancelled"), (waiting.pk, "withdrawn", "cancelled")]
    )
    assert [m.to for m in mail.outbox] == [[world.parent.user.email]]
    assert world.go.name in mail.outbox[0].subject


# --- clashes and the family's limits on every path ---------------------------------------------


def test_a_child_never_gets_two_places_meeting_at_once():
    world = enrolment_world()
    third = third_activity(world)
    allocate(world, meetings=[meeting(third, "wed-1", teacher=world.chen)])
    assert join(world.child, world.activity).status == "placed"
    refused("clash", join, world.child, third)


def test_the_plans_wants_is_a_limit_for_late_joins():
    world = enrolment_world()
    allocate(world)
    ranked(world, world.child, [world.go], wants=1)
    assert join(world.child, world.go).status == "placed"
    refused("wants_reached", join, world.child, world.activity)


def test_promotion_skips_a_waiting_child_the_rules_now_refuse(django_capture_on_commit_callbacks):
    world = enrolment_world()
    third = third_activity(world, max_size=1)
    allocate(world, meetings=[meeting(third, "wed-1", teacher=world.chen)])
    holder = join(pupil(world, "小红"), third)
    skipped = join(world.child, third)  # waiting
    behind = join(pupil(world, "小刚"), third)  # waiting
    assert (skipped.status, behind.status) == ("waiting", "waiting")
    join(world.child, world.activity)  # 书法 clashes with third
    with django_capture_on_commit_callbacks(execute=True):
        promoted = enrolment_withdraw(enrolment=holder, user=None, today=TODAY)
    assert [p.pk for p in promoted] == [behind.pk]
    skipped.refresh_from_db()
    assert skipped.status == "waiting"


def test_a_waiting_better_choice_is_traded_for_the_worse_place():
    world = enrolment_world()
    third = third_activity(world, max_size=1)
    mon_2(world)
    holder = pupil(world, "小红")
    ranked(world, world.child, [third, world.go], wants=1)
    ranked(world, holder, [third], wants=1)
    allocate(
        world,
        meetings=[meeting(third, "mon-2", teacher=world.wang)],
        enrollments=[(world.child, world.go), (holder, third)],
    )
    mine = Enrolment.objects.get(child=world.child, activity=world.go)
    hoped = Enrolment.objects.get(child=world.child, activity=third)
    assert (mine.status, hoped.status) == ("placed", "waiting")
    enrolment_withdraw(enrolment=Enrolment.objects.get(child=holder), user=None, today=TODAY)
    mine.refresh_from_db()
    hoped.refresh_from_db()
    assert (hoped.status, hoped.source) == ("placed", "waiting_list")
    assert (mine.status, mine.left_because) == ("withdrawn", "moved")


# --- the school's moves --------------------------------------------------------------------------


def test_a_school_move_goes_through_the_same_rules_and_frees_the_seat_for_the_list():
    world = enrolment_world()
    world.go.max_size = 1
    world.go.save()
    third = third_activity(world, max_size=1)
    fourth = third_activity(world)
    mon_2(world)
    allocate(
        world,
        meetings=[meeting(third, "wed-1", teacher=world.chen), meeting(fourth, "mon-2", teacher=world.wang)],
    )
    place = join(world.child, world.go)
    waiting = join(pupil(world, "小红"), world.go)
    join(world.child, world.activity)  # 书法, Wednesday 16:40
    refused("clash", enrolment_move, enrolment=place, activity=third, user=None, today=TODAY)
    refused("same_activity", enrolment_move, enrolment=place, activity=world.go, user=None, today=TODAY)
    cancelled = third_activity(world)
    refused("activity_cancelled", enrolment_move, enrolment=place, activity=cancelled, user=None, today=TODAY)
    # Moving the 书法 place into 机器人 (same time, the old place given up) is fine.
    shufa = Enrolment.objects.get(child=world.child, activity=world.activity)
    moved = enrolment_move(enrolment=shufa, activity=third, user=None, today=TODAY)
    assert (moved.status, moved.source) == ("placed", "move")
    shufa.refresh_from_db()
    assert (shufa.status, shufa.left_because) == ("withdrawn", "moved")
    # A full target is refused; a freed origin seat goes to its waiting list.
    other = join(pupil(world, "小刚"), world.activity)
    refused("full", enrolment_move, enrolment=other, activity=third, user=None, today=TODAY)
    enrolment_move(enrolment=place, activity=fourth, user=None, today=TODAY)
    waiting.refresh_from_db()
    assert waiting.status == "placed"


# --- codes -----------------------------------------------------------------------------------------


def test_plan_refusals_carry_codes():
    world = enrolment_world(max_choices=3, max_activities=2)
    ids = [world.go.pk, world.activity.pk]
    cases = [
        ({"days": [], "wants": 1, "activity_ids_in_rank_order": ids}, "no_days"),
        ({"days": [0], "wants": 1, "activity_ids_in_rank_order": [world.go.pk, world.go.pk]}, "choice_twice"),
        ({"days": [0], "wants": 1, "activity_ids_in_rank_order": [world.grade5.pk]}, "not_open_to_class"),
        ({"days": [0], "wants": 3, "activity_ids_in_rank_order": ids}, "wants_over_limit"),
        ({"days": [0], "wants": 0, "activity_ids_in_rank_order": ids}, "wants_invalid"),
    ]
    for kwargs, code in cases:
        refused(code, plan_save, child=world.child, term=world.term, user=None, **kwargs)


def test_the_school_moves_a_place_after_confirming_and_others_get_404(client):
    world = enrolment_world()
    third = third_activity(world)
    mon_2(world)
    allocate(world, meetings=[meeting(third, "mon-2", teacher=world.wang)])
    place = join(world.child, world.go)
    url = reverse("enrolment:move", args=[world.school.pk, place.pk])
    client.force_login(world.admin.user)
    page = client.get(reverse("enrolment:window", args=[world.school.pk])).content.decode()
    assert url in page
    assert 'data-testid="move-form"' in client.get(url).content.decode()
    page = client.post(url, {"activity": third.pk}).content.decode()
    assert 'data-testid="confirm-move"' in page
    place.refresh_from_db()
    assert place.status == "placed"  # asked, not yet moved
    response = client.post(url, {"activity": third.pk, "confirm": "yes"})
    assert response.status_code == 302
    place.refresh_from_db()
    assert (place.status, place.left_because) == ("withdrawn", "moved")
    assert Enrolment.objects.get(child=world.child, activity=third).source == "move"
    # A refusal is shown, nothing written.
    moved = Enrolment.objects.get(child=world.child, activity=third)
    cancelled = third_activity(world)
    url = reverse("enrolment:move", args=[world.school.pk, moved.pk])
    page = client.post(url, {"activity": cancelled.pk, "confirm": "yes"}, follow=True).content.decode()
    assert 'class="message error"' in page
    moved.refresh_from_db()
    assert moved.status == "placed"
    # Another school's administrator, a parent, another school's activity: 404.
    for user in (f.SchoolAdminFactory(school=world.other_school).user, world.parent.user):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(world.admin.user)
    assert client.post(url, {"activity": world.elsewhere.pk}).status_code == 404
