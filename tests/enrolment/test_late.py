"""Late joiners after the window (first-come with a capacity check), withdrawals, and the
waiting list that promotes and e-mails the family."""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from core.weekdays import mask_from_days
from marketplace.enrolment.models import Enrolment, TermPlan
from marketplace.enrolment.services import EnrolmentError, enrolment_late_join, enrolment_withdraw
from tests import factories as f
from tests.enrolment import allocate, close_window, enrolment_world
from tests.timetables import TERM_END, TERM_START

pytestmark = pytest.mark.django_db
TODAY = TERM_START + datetime.timedelta(days=2)


@pytest.fixture(autouse=True)
def _in_term(monkeypatch):
    # The views ask schools.selectors.today(); keep it inside the factory term.
    monkeypatch.setattr("schools.selectors.today", lambda: TODAY)


def closed_world(size=2):
    """The world after the window: closed, published (围棋 on Wednesday 17:50, 书法 16:40) and
    allocated (nobody ranked), 围棋 with ``size`` places."""
    world = enrolment_world()
    world.go.max_size = size
    world.go.save()
    allocate(world)
    return world


def pupil(world, name, *, parent=None):
    parent = parent or f.ParentFactory()
    return f.ChildFactory(household=parent.household, school_class=world.school_class, name=name), parent


def join(world, child, activity=None, today=TODAY):
    return enrolment_late_join(child=child, activity=activity or world.go, user=None, today=today)


def statuses(activity):
    return list(
        Enrolment.objects.filter(activity=activity)
        .order_by("pk")
        .values_list("child__name", "status", "source")
    )


def test_late_joiners_are_placed_while_seats_are_free_then_wait():
    world = closed_world(size=2)
    TermPlan.objects.create(child=world.child, term=world.term, days=mask_from_days([0, 2, 4]))
    world.child.term_plans.get().choices.create(activity=world.go, rank=1)
    first = join(world, world.child)
    assert (first.status, first.source, first.joined_on, first.choice_rank) == ("placed", "late", TODAY, 1)
    second, _p = pupil(world, "小红")
    third, _p = pupil(world, "小刚")
    fourth, _p = pupil(world, "小丽")
    assert join(world, second).status == "placed"
    waiting = join(world, third)
    assert (waiting.status, waiting.source, waiting.joined_on, waiting.choice_rank) == (
        "waiting",
        "late",
        TODAY,
        None,
    )
    assert join(world, fourth).status == "waiting"
    assert statuses(world.go) == [
        ("小明", "placed", "late"),
        ("小红", "placed", "late"),
        ("小刚", "waiting", "late"),
        ("小丽", "waiting", "late"),
    ]


def test_allocated_places_count_against_the_capacity():
    world = closed_world(size=1)
    other, _p = pupil(world, "小红")
    Enrolment.objects.create(
        child=other, activity=world.go, status="placed", source="allocation", joined_on=TERM_START
    )
    assert join(world, world.child).status == "waiting"


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("not_allocated", "window_not_allocated"),
        ("no_window", "no_window"),
        ("term_over", "term_over"),
        ("grade", "not_open_to_class"),
        ("other_school", "no_window"),
        ("already_placed", "already_enrolled"),
        ("already_waiting", "already_enrolled"),
    ],
)
def test_late_join_refusals_write_nothing(case, code):
    world = closed_world(size=1)
    activity, today = world.go, TODAY
    if case == "not_allocated":
        world.window.allocated_run, world.window.allocated_at = None, None
        world.window.save()
    elif case == "no_window":
        world.window.delete()
    elif case == "term_over":
        today = TERM_END + datetime.timedelta(days=1)
    elif case == "grade":
        activity = world.grade5
    elif case == "other_school":
        activity = world.elsewhere
    elif case in ("already_placed", "already_waiting"):
        if case == "already_waiting":
            filler, _p = pupil(world, "小红")
            join(world, filler)
        join(world, world.child)
    before = Enrolment.objects.count()
    with pytest.raises(EnrolmentError) as caught:
        join(world, world.child, activity, today=today)
    assert caught.value.code == code
    assert caught.value.messages[0]
    assert Enrolment.objects.count() == before


def publish_meetings(world):
    """closed_world() has published the school's run: 书法 (world.activity) meets on Wednesdays."""
    assert world.activity.dated_sessions.exists()


def test_the_childs_days_must_cover_the_published_meetings():
    world = closed_world()
    publish_meetings(world)
    plan = TermPlan.objects.create(child=world.child, term=world.term, days=mask_from_days([0, 4]))
    with pytest.raises(EnrolmentError) as caught:
        join(world, world.child, world.activity)
    assert caught.value.code == "day_not_stayed"
    assert world.activity.name in caught.value.messages[0] and "小明" in caught.value.messages[0]
    assert not Enrolment.objects.exists()
    plan.days = mask_from_days([0, 2, 4])
    plan.save()
    assert join(world, world.child, world.activity).status == "placed"


def test_without_a_plan_the_childs_usual_days_count():
    world = closed_world()
    publish_meetings(world)
    world.child.days = mask_from_days([0])
    world.child.save()
    with pytest.raises(EnrolmentError) as caught:
        join(world, world.child, world.activity)
    assert caught.value.code == "day_not_stayed"
    world.child.days = mask_from_days([0, 2])
    world.child.save()
    assert join(world, world.child, world.activity).status == "placed"


def test_late_joining_waits_for_the_allocation_of_the_window():
    """Closed but not yet allocated: nobody joins (the ranked allocation comes first), and
    the household page offers no Join."""
    world = enrolment_world()
    close_window(world)
    assert world.window.allocated_at is None
    with pytest.raises(EnrolmentError) as caught:
        join(world, world.child)
    assert caught.value.code == "window_not_allocated"
    assert not Enrolment.objects.exists()


def test_withdrawing_a_place_promotes_the_first_waiting_child_and_mails_the_family(
    django_capture_on_commit_callbacks,
):
    world = closed_world(size=1)
    placed = join(world, world.child)
    second, second_parent = pupil(world, "小红")
    other_parent = f.ParentFactory(household=second_parent.household)  # two parents, both told
    third, _p = pupil(world, "小刚")
    waiting_second, waiting_third = join(world, second), join(world, third)
    assert (waiting_second.status, waiting_third.status) == ("waiting", "waiting")
    later = TODAY + datetime.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        promoted = enrolment_withdraw(enrolment=placed, user=world.parent.user, today=later)
    assert [p.pk for p in promoted] == [waiting_second.pk]
    placed.refresh_from_db()
    waiting_second.refresh_from_db()
    waiting_third.refresh_from_db()
    assert (placed.status, placed.left_on) == ("withdrawn", later)
    assert (waiting_second.status, waiting_second.source, waiting_second.joined_on) == (
        "placed",
        "waiting_list",
        later,
    )
    assert waiting_third.status == "waiting"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([second_parent.user.email, other_parent.user.email])
    assert "小红" in message.subject and world.go.name in message.body


def test_withdrawing_from_the_waiting_list_promotes_no_one(django_capture_on_commit_callbacks):
    world = closed_world(size=1)
    join(world, world.child)
    second, _p = pupil(world, "小红")
    third, _p = pupil(world, "小刚")
    waiting, behind = join(world, second), join(world, third)
    with django_capture_on_commit_callbacks(execute=True):
        assert enrolment_withdraw(enrolment=waiting, user=None, today=TODAY) == []
    behind.refresh_from_db()
    assert behind.status == "waiting"
    assert Enrolment.objects.filter(activity=world.go, status="placed").count() == 1
    assert mail.outbox == []


def test_withdrawing_with_no_one_waiting_leaves_the_seat_free_and_twice_is_refused():
    world = closed_world(size=1)
    placed = join(world, world.child)
    assert enrolment_withdraw(enrolment=placed, user=None, today=TODAY) == []
    with pytest.raises(EnrolmentError) as caught:
        enrolment_withdraw(enrolment=placed, user=None, today=TODAY)
    assert caught.value.code == "already_withdrawn"
    # The child may join again (the withdrawn row does not count as live).
    assert join(world, world.child).status == "placed"


def test_a_promotion_rolled_back_sends_no_mail(django_capture_on_commit_callbacks):
    world = closed_world(size=1)
    placed = join(world, world.child)
    second, _p = pupil(world, "小红")
    waiting = join(world, second)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        enrolment_withdraw(enrolment=placed, user=None, today=TODAY)
        raise RuntimeError("undo")
    waiting.refresh_from_db()
    placed.refresh_from_db()
    assert (placed.status, waiting.status) == ("placed", "waiting")
    assert mail.outbox == []


# --- the household page ------------------------------------------------------------------------


def household_url(world):
    return reverse("enrolment:household", args=[world.parent.household.pk])


def join_url(world, child=None, household=None):
    household = household or world.parent.household
    return reverse("enrolment:join", args=[household.pk, (child or world.child).pk])


def test_parent_joins_and_withdraws_on_the_household_page(client, django_capture_on_commit_callbacks):
    world = closed_world(size=1)
    client.force_login(world.parent.user)
    page = client.get(household_url(world)).content.decode()
    assert 'data-testid="late-options"' in page and 'data-testid="join"' in page
    assert "篮球" not in page  # grade 5 only
    response = client.post(join_url(world), {"activity": world.go.pk}, follow=True)
    assert response.redirect_chain[-1] == (household_url(world), 302)
    enrolment = Enrolment.objects.get(child=world.child, activity=world.go)
    assert (enrolment.status, enrolment.source, enrolment.joined_on) == ("placed", "late", TODAY)
    page = response.content.decode()
    assert f'data-enrolment="{enrolment.pk}"' in page and 'data-testid="withdraw"' in page

    second, second_parent = pupil(world, "小红")
    waiting = join(world, second)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("ledger:withdraw", args=[world.parent.household.pk, enrolment.pk]), {"confirm": "yes"}
        )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    waiting.refresh_from_db()
    assert (enrolment.status, enrolment.left_on) == ("withdrawn", TODAY)
    assert (waiting.status, waiting.source) == ("placed", "waiting_list")
    assert [m.to for m in mail.outbox] == [[second_parent.user.email]]


def test_a_full_activity_puts_the_child_on_the_waiting_list_with_its_number(client):
    world = closed_world(size=1)
    filler, _p = pupil(world, "小红")
    join(world, filler)
    client.force_login(world.parent.user)
    response = client.post(join_url(world), {"activity": world.go.pk}, follow=True)
    assert Enrolment.objects.get(child=world.child).status == "waiting"
    enrolment = Enrolment.objects.get(child=world.child)
    page = response.content.decode()
    assert f'data-enrolment="{enrolment.pk}" data-activity="{world.go.pk}" data-status="waiting"' in page
    assert 'class="message success"' in page


def test_the_page_shows_a_refusal_and_writes_nothing(client):
    world = closed_world()
    client.force_login(world.parent.user)
    response = client.post(join_url(world), {"activity": world.grade5.pk}, follow=True)
    assert response.status_code == 200
    assert 'class="message error"' in response.content.decode()
    assert not Enrolment.objects.exists()


def test_no_join_buttons_while_the_window_is_open(client):
    world = enrolment_world()
    client.force_login(world.parent.user)
    page = client.get(household_url(world)).content.decode()
    assert 'data-testid="late-options"' not in page
    response = client.post(join_url(world), {"activity": world.go.pk}, follow=True)
    assert 'class="message error"' in response.content.decode()
    assert not Enrolment.objects.exists()


def test_other_households_roles_and_activities_get_404(client):
    world = closed_world()
    placed = join(world, world.child)
    stranger = f.ParentFactory()
    withdraw_url = reverse("ledger:withdraw", args=[world.parent.household.pk, placed.pk])
    for user in (stranger.user, world.admin.user):
        client.force_login(user)
        assert client.post(join_url(world), {"activity": world.activity.pk}).status_code == 404
        assert client.post(withdraw_url, {"confirm": "yes"}).status_code == 404
        assert client.get(withdraw_url).status_code == 404
    # Their own household in the URL, someone else's child or enrolment.
    client.force_login(stranger.user)
    assert (
        client.post(
            join_url(world, household=stranger.household), {"activity": world.activity.pk}
        ).status_code
        == 404
    )
    own_withdraw = reverse("ledger:withdraw", args=[stranger.household.pk, placed.pk])
    assert client.post(own_withdraw, {"confirm": "yes"}).status_code == 404
    # An activity of another school, or no activity at all.
    client.force_login(world.parent.user)
    assert client.post(join_url(world), {"activity": world.elsewhere.pk}).status_code == 404
    assert client.post(join_url(world), {"activity": "x"}).status_code == 404
    assert client.get(join_url(world)).status_code == 405
    # Withdrawing asks to confirm: the GET is the confirmation page, which changes nothing.
    assert client.get(withdraw_url).status_code == 200
    placed.refresh_from_db()
    assert placed.status == "placed"
    assert Enrolment.objects.count() == 1
