"""The private calendar feed: the secret token is the only key; a wrong or reset one gets nothing."""

import pytest
from django.urls import reverse

from scheduling.staff import services
from scheduling.staff.models import CalendarFeed, feed_token_hash
from tests import factories as f
from tests.ledger import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_world()
    world.teacher = f.TeacherFactory(school=world.school, staff=world.staff)
    return world


def _feed_path(token):
    return reverse("portal:feed", args=[token])


def test_right_token_gets_the_teachers_calendar_without_login(client, world):
    feed = services.calendar_feed_for(staff=world.staff)
    response = client.get(_feed_path(feed.token))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "no-store" in response["Cache-Control"]
    body = response.content
    assert body.count(b"BEGIN:VEVENT") == 6  # 3 supervisions + 3 staff-activity meetings
    for session in world.supervision + world.staff_meetings:
        assert f"UID:session-{session.pk}@afterschool".encode() in body
    for session in world.vendor_meetings:  # the vendor's instructor's, not this teacher's
        assert f"UID:session-{session.pk}@afterschool".encode() not in body


def test_token_is_stored_hashed_for_lookup_and_long(world):
    feed = services.calendar_feed_for(staff=world.staff)
    assert len(feed.token) >= 43
    assert feed.token_hash == feed_token_hash(feed.token) != feed.token
    assert services.calendar_feed_for(staff=world.staff).token == feed.token  # stable until reset


def test_wrong_token_gets_404_and_nothing_else(client, world):
    feed = services.calendar_feed_for(staff=world.staff)
    for token in ("nope", feed.token[:-1], feed.token + "x", feed.token_hash, "x" * 500):
        response = client.get(_feed_path(token))
        assert response.status_code == 404
        assert b"BEGIN:VCALENDAR" not in response.content
        assert world.staff.name.encode() not in response.content


def test_reset_kills_the_old_token(client, world):
    client.force_login(world.teacher.user)
    home = client.get(reverse("portal:teacher_home", args=[world.staff.pk])).content.decode()
    old = CalendarFeed.objects.get(staff=world.staff).token
    assert "http://testserver" + _feed_path(old) in home  # shown in full, to copy
    response = client.post(reverse("staff:feed_reset", args=[world.staff.pk]), {"confirm": "yes"})
    assert response.status_code == 302
    new = CalendarFeed.objects.get(staff=world.staff).token
    assert new != old
    client.logout()
    assert client.get(_feed_path(old)).status_code == 404
    assert client.get(_feed_path(new)).status_code == 200


def test_only_the_teacher_sees_and_resets_their_feed(client, world):
    token = services.calendar_feed_for(staff=world.staff).token
    reset = reverse("staff:feed_reset", args=[world.staff.pk])
    colleague = f.TeacherFactory(school=world.school)
    stranger = f.TeacherFactory()
    admin = f.SchoolAdminFactory(school=world.school)
    for user in (colleague.user, stranger.user, admin.user):
        client.force_login(user)
        assert client.post(reset).status_code == 404
        assert client.post(reset, {"confirm": "yes"}).status_code == 404
    assert CalendarFeed.objects.get(staff=world.staff).token == token
    # The administrator may open the teacher's page, but not see the private address.
    client.force_login(admin.user)
    page = client.get(reverse("portal:teacher_home", args=[world.staff.pk]))
    assert page.status_code == 200
    assert token not in page.content.decode()
    assert 'data-testid="feed-url"' not in page.content.decode()
    # Reset needs POST.
    client.force_login(world.teacher.user)
    assert client.get(reset).status_code == 405


def test_feed_of_an_inactive_staff_member_is_gone(client, world):
    token = services.calendar_feed_for(staff=world.staff).token
    world.staff.active = False
    world.staff.save()
    assert client.get(_feed_path(token)).status_code == 404


def test_feed_shows_a_cover_duty_taken_from_a_colleague(client, world):
    """A cover moves the session to the substitute: it leaves one feed and joins the other."""
    substitute = f.StaffMemberFactory(school=world.school)
    session = world.supervision[1]
    session.staff = substitute
    session.save(update_fields=["staff"])
    mine = client.get(_feed_path(services.calendar_feed_for(staff=world.staff).token)).content
    theirs = client.get(_feed_path(services.calendar_feed_for(staff=substitute).token)).content
    uid = f"UID:session-{session.pk}@afterschool".encode()
    assert uid not in mine and uid in theirs
    assert theirs.count(b"BEGIN:VEVENT") == 1
