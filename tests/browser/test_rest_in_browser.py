"""A teacher claims a rest day in the browser; it is approved automatically, the substitute
sees the new duty in their week and calendar file, and the claimant's balance falls by one."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from people.accounts.models import User
from people.roles.models import Membership, Role
from scheduling.rest.models import RestClaim
from tests.browser.conftest import login
from tests.rest import build_world, give_duties

PASSWORD = "demo12345"


def teacher_login(world, staff, email) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, name=staff.name)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    Membership.objects.create(user=user, role=Role.TEACHER, school=world.school, staff=staff)
    return user


@pytest.fixture
def rest_world(transactional_db):
    today = timezone.localdate()
    # A term around today, published from its first day: Mondays are supervised.
    world = build_world(
        start=today - datetime.timedelta(days=14),
        end=today + datetime.timedelta(days=40),
        publish_from=today - datetime.timedelta(days=14),
    )
    give_duties(world.wang, world.term, 2)  # one duty a rest day: two to claim
    world.monday = today + datetime.timedelta(days=7 - today.weekday())  # the next Monday, after today
    teacher_login(world, world.wang, "wang.rest@example.com")
    teacher_login(world, world.chen, "chen.rest@example.com")
    return world


def test_teacher_claims_rest_and_the_substitute_sees_the_duty(rest_world, live_server, new_page):
    world = rest_world
    page = new_page()
    login(page, live_server, "wang.rest@example.com", PASSWORD)
    page.goto(f"{live_server.url}{reverse('portal:teacher_home', args=[world.wang.pk])}")
    page.get_by_test_id("rest-link").click()
    balance = page.get_by_test_id("rest-balance")
    before = int(balance.inner_text())
    assert before == 2

    page.locator("input[name=date]").fill(world.monday.isoformat())
    page.get_by_test_id("claim-rest").click()
    row = page.locator(f"[data-testid=claim][data-date='{world.monday.isoformat()}']")
    row.wait_for()
    assert row.get_attribute("data-status") == "approved"
    assert int(page.get_by_test_id("rest-balance").inner_text()) == before - 1
    claim = RestClaim.objects.get(staff=world.wang)
    assert (claim.status, claim.automatic) == ("approved", True)

    substitute = new_page()
    login(substitute, live_server, "chen.rest@example.com", PASSWORD)
    week_url = reverse("portal:teacher_home", args=[world.chen.pk])
    substitute.goto(f"{live_server.url}{week_url}?week={world.monday.isoformat()}")
    week = substitute.get_by_test_id("my-week")
    assert week.get_by_test_id("cover-duty").count() == 1
    assert world.monday.strftime("%m-%d") in week.inner_text()

    calendar = substitute.request.get(
        f"{live_server.url}{reverse('portal:teacher_calendar', args=[world.chen.pk])}"
    )
    assert calendar.ok
    text = calendar.text()
    assert text.count("BEGIN:VEVENT") == 1
    assert world.monday.strftime("%Y%m%d") in text

    # The private feed (no sign-in: a calendar app's request) has it too, as a cover duty.
    feed_url = substitute.get_by_test_id("feed-url").input_value()
    assert feed_url.startswith(live_server.url) and "/teachers/feed/" in feed_url
    feed = new_page().request.get(feed_url)
    assert feed.ok
    feed_text = feed.text()
    assert feed_text.count("BEGIN:VEVENT") == 1
    assert world.monday.strftime("%Y%m%d") in feed_text
    assert world.wang.name in feed_text  # "Cover for <the claimant>: …"
