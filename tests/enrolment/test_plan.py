"""Families' term plans: saving ranked choices, every refusal, and the family pages."""

import pytest
from django.urls import reverse
from django.utils import translation

from marketplace.enrolment.models import Choice, TermPlan
from marketplace.enrolment.services import EnrolmentError, plan_save
from tests import factories as f
from tests.enrolment import close_window, enrolment_world

pytestmark = pytest.mark.django_db


def save(world, *, ids, days=(0, 2, 4), wants=1, child=None):
    return plan_save(
        child=child or world.child,
        term=world.term,
        user=world.parent.user,
        days=days,
        wants=wants,
        activity_ids_in_rank_order=ids,
    )


def ranked(world):
    plan = TermPlan.objects.get(child=world.child, term=world.term)
    return [(c.rank, c.activity_id) for c in plan.choices.order_by("rank")]


def test_plan_save_records_days_wants_and_ranks_and_replaces_them():
    world = enrolment_world()
    plan = save(world, ids=[world.go.pk, world.activity.pk], wants=2, days=[0, 4])
    assert plan.days == 0b10001 and plan.wants == 2
    assert ranked(world) == [(1, world.go.pk), (2, world.activity.pk)]
    save(world, ids=[world.activity.pk], wants=1)
    assert ranked(world) == [(1, world.activity.pk)]
    assert TermPlan.objects.count() == 1 and Choice.objects.count() == 1


# Each refused plan and the code it is refused with.
PLAN_REFUSALS = {
    "duplicate": "choice_twice",
    "too_many": "too_many_choices",
    "wants_more_than_ranked": "wants_invalid",
    "wants_over_max": "wants_over_limit",
    "other_grade": "not_open_to_class",
    "other_school": "not_open_to_class",
    "no_days": "no_days",
    "day_outside_class": "day_not_in_class",
    "other_term": "not_open_to_class",
}


@pytest.mark.parametrize("case", list(PLAN_REFUSALS))
def test_plan_save_refusals_write_nothing(case):
    world = enrolment_world(max_choices=2, max_activities=1)
    save(world, ids=[world.activity.pk])
    before = ranked(world)
    kwargs = {"ids": [world.go.pk]}
    if case == "duplicate":
        kwargs["ids"] = [world.go.pk, world.go.pk]
    elif case == "too_many":
        extra = f.SchoolActivityFactory(course__school=world.school, term=world.term)
        kwargs["ids"] = [world.go.pk, world.activity.pk, extra.pk]
    elif case == "wants_more_than_ranked":
        kwargs["wants"] = 2
        world.window.max_activities = 2
        world.window.save()
    elif case == "wants_over_max":
        kwargs = {"ids": [world.go.pk, world.activity.pk], "wants": 2}
    elif case == "other_grade":
        kwargs["ids"] = [world.grade5.pk]
    elif case == "other_school":
        kwargs["ids"] = [world.elsewhere.pk]
    elif case == "no_days":
        kwargs["days"] = []
    elif case == "day_outside_class":
        world.school_class.days = 0b00101  # Monday and Wednesday only
        world.school_class.save()
        kwargs["days"] = [0, 4]
    elif case == "other_term":
        other = f.SchoolActivityFactory(course__school=world.school, name="下学期")
        kwargs["ids"] = [other.pk]
    with pytest.raises(EnrolmentError) as caught:
        save(world, **kwargs)
    assert caught.value.code == PLAN_REFUSALS[case]
    assert ranked(world) == before


@pytest.mark.parametrize("when", ["closed", "upcoming", "none"])
def test_plan_save_is_refused_outside_the_window_with_its_dates(when):
    import datetime

    from django.utils import timezone

    world = enrolment_world()
    if when == "closed":
        close_window(world)
    elif when == "upcoming":
        world.window.opens_at = timezone.now() + datetime.timedelta(days=1)
        world.window.closes_at = timezone.now() + datetime.timedelta(days=2)
        world.window.save()
    else:
        world.window.delete()
    with translation.override("en"), pytest.raises(EnrolmentError) as caught:
        save(world, ids=[world.go.pk])
    assert caught.value.code == ("no_window" if when == "none" else "window_not_open")
    if when != "none":
        assert "from" in caught.value.messages[0] and "to" in caught.value.messages[0]
    assert not TermPlan.objects.exists()


def test_parent_ranks_on_the_phone_page(client):
    world = enrolment_world()
    client.force_login(world.parent.user)
    url = reverse("enrolment:plan", args=[world.parent.household.pk, world.child.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="rank_1"' in page.content and b'name="rank_3"' in page.content
    assert "篮球" not in page.content.decode()  # grade 5 only
    response = client.post(
        url,
        {
            "days": ["0", "4"],
            "wants": "1",
            "rank_1": str(world.go.pk),
            "rank_2": "",
            "rank_3": str(world.activity.pk),
        },
    )
    assert response.status_code == 302
    assert ranked(world) == [(1, world.go.pk), (2, world.activity.pk)]
    home = client.get(reverse("enrolment:household", args=[world.parent.household.pk]))
    assert home.status_code == 200
    assert home.content.decode().count('data-testid="choice-result"') == 2


def test_the_page_shows_a_refusal(client):
    world = enrolment_world()
    client.force_login(world.parent.user)
    url = reverse("enrolment:plan", args=[world.parent.household.pk, world.child.pk])
    response = client.post(
        url, {"days": ["0"], "wants": "1", "rank_1": str(world.go.pk), "rank_2": str(world.go.pk)}
    )
    assert response.status_code == 400
    assert b'data-testid="form-errors"' in response.content
    assert not TermPlan.objects.exists()


def test_other_households_and_roles_get_404(client):
    world = enrolment_world()
    stranger = f.ParentFactory()
    url = reverse("enrolment:plan", args=[world.parent.household.pk, world.child.pk])
    post = {"days": ["0"], "wants": "1", "rank_1": str(world.go.pk)}
    for user in (stranger.user, world.admin.user):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, post).status_code == 404
        assert client.get(reverse("enrolment:household", args=[world.parent.household.pk])).status_code == 404
    # Their own household, someone else's child in the URL.
    client.force_login(stranger.user)
    other_child_url = reverse("enrolment:plan", args=[stranger.household.pk, world.child.pk])
    assert client.get(other_child_url).status_code == 404
    assert client.post(other_child_url, post).status_code == 404
    assert not TermPlan.objects.exists()
