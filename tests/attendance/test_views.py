"""The attendance pages: ``attendance:take`` and ``attendance:today``, and who may see them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from marketplace.enrolment.models import Enrolment
from scheduling.attendance import views
from scheduling.attendance.models import AttendanceRecord, SessionDelivery
from scheduling.attendance.selectors import roster_for
from scheduling.attendance.services import attendance_record
from tests import factories as f
from tests.attendance import MONDAY, WEDNESDAY, D

pytestmark = pytest.mark.django_db


@pytest.fixture
def on(monkeypatch):
    """Set the pages' clock to ``day`` at 18:00, after the day's sessions have started."""

    def set_today(day):
        moment = datetime.datetime.combine(day, datetime.time(18, 0), tzinfo=timezone.get_current_timezone())
        monkeypatch.setattr(views, "now", lambda: moment)

    return set_today


@pytest.fixture
def pupils(world):
    return [f.ChildFactory(school_class=world.school_class) for _ in range(2)]


@pytest.fixture
def enrolled(world):
    child = f.ChildFactory(school_class=world.school_class)
    Enrolment.objects.create(
        child=child,
        activity=world.activity,
        status=Enrolment.Status.PLACED,
        source=Enrolment.Source.LATE,
        joined_on=D(2026, 9, 7),
    )
    return child


def take_url(session):
    return reverse("attendance:take", args=[session.pk])


@pytest.mark.parametrize("who", ["teacher", "admin"])
def test_own_teacher_and_admin_see_the_supervision(client, world, pupils, on, who):
    on(MONDAY)
    client.force_login(getattr(world, who))
    response = client.get(take_url(world.supervision))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="roster-row"') == 2
    # Nobody starts marked: the taker marks each child.
    assert " checked" not in html


@pytest.mark.parametrize("who", ["other_teacher", "vendor_user", "other_vendor_user"])
def test_others_get_404_for_the_supervision(client, world, pupils, on, who):
    on(MONDAY)
    client.force_login(getattr(world, who))
    assert client.get(take_url(world.supervision)).status_code == 404
    assert client.post(take_url(world.supervision), {}).status_code == 404
    assert not SessionDelivery.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("vendor_user", 200),
        ("admin", 200),
        ("other_vendor_user", 404),
        ("teacher", 404),
        ("other_teacher", 404),
    ],
)
def test_meeting_access(client, world, enrolled, on, who, status):
    on(WEDNESDAY)
    client.force_login(getattr(world, who))
    assert client.get(take_url(world.meeting)).status_code == status


def test_admin_of_another_school_gets_404(client, world, on):
    on(MONDAY)
    client.force_login(f.SchoolAdminFactory().user)
    assert client.get(take_url(world.supervision)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(take_url(world.supervision))
    assert response.status_code == 302 and "login" in response["Location"]


def test_save_records_and_delivers(client, world, pupils, on):
    on(MONDAY)
    a, b = pupils
    client.force_login(world.teacher)
    response = client.post(
        take_url(world.supervision), {f"status-{a.pk}": "present", f"status-{b.pk}": "absent", "note": "ok"}
    )
    assert response.status_code == 302 and response["Location"] == take_url(world.supervision)
    assert dict(AttendanceRecord.objects.values_list("child_id", "status")) == {
        a.pk: "present",
        b.pk: "absent",
    }
    delivery = SessionDelivery.objects.get()
    assert delivery.note == "ok" and delivery.recorded_by == world.teacher

    page = client.get(take_url(world.supervision)).content.decode()
    assert 'data-testid="delivered"' in page
    assert 'value="absent" checked' in page

    # Saving again corrects without a second delivery.
    client.post(take_url(world.supervision), {f"status-{a.pk}": "excused", f"status-{b.pk}": "absent"})
    assert AttendanceRecord.objects.count() == 2
    assert AttendanceRecord.objects.get(child=a).status == "excused"
    assert SessionDelivery.objects.count() == 1


def test_future_session_refused_on_the_page(client, world, pupils, on):
    on(D(2026, 9, 13))
    client.force_login(world.teacher)
    assert 'data-testid="not-open"' in client.get(take_url(world.supervision)).content.decode()
    response = client.post(take_url(world.supervision), {f"status-{c.pk}": "present" for c in pupils})
    assert response.status_code == 400
    assert 'data-testid="error"' in response.content.decode()
    assert not AttendanceRecord.objects.exists() and not SessionDelivery.objects.exists()


def test_missing_choice_shows_an_error(client, world, pupils, on):
    on(MONDAY)
    client.force_login(world.teacher)
    response = client.post(take_url(world.supervision), {f"status-{pupils[0].pk}": "present"})
    assert response.status_code == 400
    assert pupils[1].name in response.content.decode()
    assert not AttendanceRecord.objects.exists()


def test_today_lists_todays_and_untaken_recent_sessions(client, world, pupils, enrolled, on):
    client.force_login(world.teacher)
    on(MONDAY)
    html = client.get(reverse("attendance:today")).content.decode()
    assert f'data-session="{world.supervision.pk}"' in html
    assert f'data-session="{world.meeting.pk}"' not in html

    # Two days later the Monday session still waits for attendance…
    on(WEDNESDAY)
    html = client.get(reverse("attendance:today")).content.decode()
    assert f'data-session="{world.supervision.pk}"' in html
    # …until it is taken; after eight days it is no longer listed either way.
    attendance_record(
        dated_session=world.supervision,
        user=world.teacher,
        statuses={c.pk: "present" for c in roster_for(world.supervision)},
        today=WEDNESDAY,
    )
    html = client.get(reverse("attendance:today")).content.decode()
    assert f'data-session="{world.supervision.pk}"' not in html


def test_today_for_the_vendor_member(client, world, enrolled, on):
    on(WEDNESDAY)
    client.force_login(world.vendor_user)
    html = client.get(reverse("attendance:today")).content.decode()
    assert f'data-session="{world.meeting.pk}"' in html
    assert f'data-session="{world.supervision.pk}"' not in html
    client.force_login(world.other_vendor_user)
    assert 'data-testid="no-sessions"' in client.get(reverse("attendance:today")).content.decode()


def test_today_skips_sessions_older_than_a_week(client, world, on):
    on(D(2026, 9, 22))  # eight days after Monday the 14th
    client.force_login(world.teacher)
    html = client.get(reverse("attendance:today")).content.decode()
    assert f'data-session="{world.supervision.pk}"' not in html


def test_today_is_404_without_a_register_taking_role(client, world, on):
    on(MONDAY)
    client.force_login(world.admin)
    assert client.get(reverse("attendance:today")).status_code == 200
    client.force_login(f.ParentFactory().user)
    assert client.get(reverse("attendance:today")).status_code == 404
