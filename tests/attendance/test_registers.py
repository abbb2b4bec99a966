"""When a register opens, how it is filled in, and who takes it: the school administrator's
day of sessions and the delegation of a session's register to a member of staff."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from core.models import AppendOnlyError
from scheduling.attendance import views
from scheduling.attendance.models import AttendanceRecord, RegisterDelegation, SessionDelivery
from scheduling.attendance.services import (
    AttendanceError,
    attendance_record,
    register_delegate,
)
from tests import factories as f
from tests.attendance import MONDAY, WEDNESDAY

pytestmark = pytest.mark.django_db


def local(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def at(monkeypatch):
    def set_now(moment):
        monkeypatch.setattr(views, "now", lambda: moment)

    return set_now


@pytest.fixture
def pupils(world):
    return [f.ChildFactory(school_class=world.school_class) for _ in range(2)]


def take_url(session):
    return reverse("attendance:take", args=[session.pk])


def all_present(children):
    return {child.pk: "present" for child in children}


# --- the register opens at the session's start -------------------------------------------------


def test_register_refused_before_the_session_starts(world, pupils):
    # The supervision starts at 15:30; at 15:29 on its own day the register is not open yet.
    start = world.supervision.start
    before = local(MONDAY, start.hour, start.minute) - datetime.timedelta(minutes=1)
    with pytest.raises(AttendanceError) as excinfo:
        attendance_record(
            dated_session=world.supervision, user=world.teacher, statuses=all_present(pupils), now=before
        )
    assert excinfo.value.code == "register_not_open"
    assert not AttendanceRecord.objects.exists() and not SessionDelivery.objects.exists()

    attendance_record(
        dated_session=world.supervision,
        user=world.teacher,
        statuses=all_present(pupils),
        now=local(MONDAY, start.hour, start.minute),
    )
    assert SessionDelivery.objects.filter(dated_session=world.supervision).exists()


def test_a_correction_later_is_still_allowed(world, pupils):
    start = world.supervision.start
    attendance_record(
        dated_session=world.supervision,
        user=world.teacher,
        statuses=all_present(pupils),
        now=local(MONDAY, start.hour, start.minute + 5),
    )
    a, b = pupils
    attendance_record(
        dated_session=world.supervision,
        user=world.teacher,
        statuses={a.pk: "present", b.pk: "absent"},
        now=local(WEDNESDAY, 9),
    )
    assert AttendanceRecord.objects.get(child=b).status == "absent"
    assert SessionDelivery.objects.count() == 1


def test_page_before_start_says_not_open_and_post_is_refused(client, world, pupils, at):
    at(local(MONDAY, 14, 0))
    client.force_login(world.teacher)
    page = client.get(take_url(world.supervision)).content.decode()
    assert 'data-testid="not-open"' in page
    response = client.post(take_url(world.supervision), {f"status-{c.pk}": "present" for c in pupils})
    assert response.status_code == 400
    assert not AttendanceRecord.objects.exists() and not SessionDelivery.objects.exists()


def test_nobody_is_pre_marked_and_missing_rows_are_named(client, world, pupils, at):
    at(local(MONDAY, 17, 0))
    client.force_login(world.teacher)
    page = client.get(take_url(world.supervision)).content.decode()
    assert page.count('data-testid="roster-row"') == 2
    assert " checked" not in page

    a, b = pupils
    response = client.post(take_url(world.supervision), {f"status-{a.pk}": "absent"})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-child="{b.pk}" data-missing' in html
    assert f'data-child="{a.pk}" data-missing' not in html
    # The choice that was made is kept; the missing one is not filled in for the taker.
    assert html.count(" checked") == 1
    assert not AttendanceRecord.objects.exists()


def test_missing_status_has_its_code(world, pupils):
    with pytest.raises(AttendanceError) as excinfo:
        attendance_record(
            dated_session=world.supervision,
            user=world.teacher,
            statuses={pupils[0].pk: "present"},
            now=local(MONDAY, 17),
        )
    assert excinfo.value.code == "status_missing"


# --- the school administrator's attendance page ----------------------------------------------


def test_admin_lists_the_schools_sessions_of_a_day(client, world, at):
    at(local(WEDNESDAY, 17))
    client.force_login(world.admin)
    response = client.get(reverse("attendance:today"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-session="{world.meeting.pk}"' in html
    assert f'data-session="{world.supervision.pk}"' not in html
    assert 'type="date"' in html

    html = client.get(reverse("attendance:today"), {"date": MONDAY.isoformat()}).content.decode()
    assert f'data-session="{world.supervision.pk}"' in html
    assert f'data-session="{world.meeting.pk}"' not in html
    assert client.get(take_url(world.supervision)).status_code == 200


def test_admin_takes_a_supervision_register(client, world, pupils, at):
    at(local(MONDAY, 17))
    client.force_login(world.admin)
    response = client.post(take_url(world.supervision), {f"status-{c.pk}": "present" for c in pupils})
    assert response.status_code == 302
    assert SessionDelivery.objects.get().recorded_by == world.admin


def test_another_schools_admin_sees_none_of_its_sessions(client, world, at):
    at(local(MONDAY, 17))
    client.force_login(f.SchoolAdminFactory().user)
    html = client.get(reverse("attendance:today"), {"date": MONDAY.isoformat()}).content.decode()
    assert f'data-session="{world.supervision.pk}"' not in html
    assert client.get(take_url(world.supervision)).status_code == 404
    assert client.get(reverse("attendance:delegate", args=[world.supervision.pk])).status_code == 404


# --- delegation ------------------------------------------------------------------------------


def test_delegated_staff_member_takes_the_register(client, world, pupils, at):
    at(local(MONDAY, 17))
    other_staff = world.other_teacher.memberships.get().staff
    client.force_login(world.other_teacher)
    assert client.get(take_url(world.supervision)).status_code == 404

    client.force_login(world.admin)
    page = client.get(reverse("attendance:delegate", args=[world.supervision.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("attendance:delegate", args=[world.supervision.pk]), {"staff": other_staff.pk}
    )
    assert response.status_code == 302
    delegation = RegisterDelegation.objects.get()
    assert (delegation.staff, delegation.delegated_by) == (other_staff, world.admin)

    client.force_login(world.other_teacher)
    html = client.get(reverse("attendance:today")).content.decode()
    assert f'data-session="{world.supervision.pk}"' in html
    response = client.post(take_url(world.supervision), {f"status-{c.pk}": "present" for c in pupils})
    assert response.status_code == 302
    assert SessionDelivery.objects.get().recorded_by == world.other_teacher


def test_a_new_delegation_replaces_the_last_and_the_log_keeps_both(world, pupils):
    other_staff = world.other_teacher.memberships.get().staff
    register_delegate(dated_session=world.supervision, staff=other_staff, user=world.admin)
    third = f.TeacherFactory(school=world.school)
    register_delegate(dated_session=world.supervision, staff=third.staff, user=world.admin)
    assert RegisterDelegation.objects.count() == 2
    with pytest.raises(AttendanceError) as excinfo:
        attendance_record(
            dated_session=world.supervision,
            user=world.other_teacher,
            statuses=all_present(pupils),
            now=local(MONDAY, 17),
        )
    assert excinfo.value.code == "not_allowed"
    attendance_record(
        dated_session=world.supervision, user=third.user, statuses=all_present(pupils), now=local(MONDAY, 17)
    )
    # Withdrawing the delegation (no staff member) is one more row.
    register_delegate(dated_session=world.supervision, staff=None, user=world.admin)
    assert RegisterDelegation.objects.count() == 3
    with pytest.raises(AppendOnlyError) as excinfo:
        RegisterDelegation.objects.first().delete()
    assert excinfo.value.code == "append_only"


def test_delegation_refusals(world):
    stranger = f.TeacherFactory()
    with pytest.raises(AttendanceError) as excinfo:
        register_delegate(dated_session=world.supervision, staff=stranger.staff, user=world.admin)
    assert excinfo.value.code == "delegate_not_of_school"

    without_login = f.StaffMemberFactory(school=world.school)
    with pytest.raises(AttendanceError) as excinfo:
        register_delegate(dated_session=world.supervision, staff=without_login, user=world.admin)
    assert excinfo.value.code == "delegate_without_login"

    other_staff = world.other_teacher.memberships.get().staff
    for user in (world.teacher, world.vendor_user, f.SchoolAdminFactory().user):
        with pytest.raises(AttendanceError) as excinfo:
            register_delegate(dated_session=world.supervision, staff=other_staff, user=user)
        assert excinfo.value.code == "not_allowed"
    assert not RegisterDelegation.objects.exists()


def test_only_the_schools_admin_opens_the_delegation_page(client, world):
    url = reverse("attendance:delegate", args=[world.supervision.pk])
    for user in (world.teacher, world.vendor_user, world.other_teacher):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"staff": world.staff.pk}).status_code == 404
    assert not RegisterDelegation.objects.exists()
