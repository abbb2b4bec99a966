"""A family's week and calendar feed: every live place of every child, with supervised study.

Built on ``tests.ledger.build_world``: c0 has places in a vendor's activity (Tuesdays) and a
staff-run activity (Wednesdays); the class has supervised study on Mondays; term 7–25 Sept 2026.
"""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from portal.selectors import sessions_for_child
from tests import factories as f
from tests.ledger import build_world, withdraw

pytestmark = pytest.mark.django_db

D = datetime.date
# Tuesday of the second week (14–20 September 2026), at noon in Beijing.
NOON = datetime.datetime(2026, 9, 15, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture
def world():
    w = build_world()
    w.parent = f.ParentFactory(household=w.children[0].household).user
    return w


def test_child_sessions_include_placed_activities_and_supervision(world):
    sessions = list(sessions_for_child(child=world.children[0], start=D(2026, 9, 14), end=D(2026, 9, 20)))
    assert [s.pk for s in sessions] == [
        world.supervision[1].pk,
        world.vendor_meetings[1].pk,
        world.staff_meetings[1].pk,
    ]


def test_child_sessions_start_at_joined_on_and_stop_at_left_on(world):
    c0 = world.children[0]
    late = world.enrolments[(0, "vendor")]
    late.joined_on = D(2026, 9, 10)
    late.save(update_fields=["joined_on"])
    withdraw(world.enrolments[(0, "staff")], on=D(2026, 9, 16))
    sessions = set(sessions_for_child(child=c0, start=None, end=None))
    assert world.vendor_meetings[0] not in sessions  # 8 Sept, before joining
    assert {world.vendor_meetings[1], world.vendor_meetings[2]} <= sessions
    # A withdrawn place shows nothing, neither before nor after it was given up.
    assert not sessions & set(world.staff_meetings)
    # Another child's place is not this child's.
    assert (
        set(sessions_for_child(child=world.children[1], start=None, end=None)) & set(world.staff_meetings)
        == set()
    )


def test_waiting_list_is_not_a_place(world):
    from marketplace.enrolment.models import Enrolment

    Enrolment.objects.filter(pk=world.enrolments[(0, "vendor")].pk).update(status=Enrolment.Status.WAITING)
    sessions = set(sessions_for_child(child=world.children[0], start=None, end=None))
    assert not sessions & set(world.vendor_meetings)


@time_machine.travel(NOON, tick=False)
def test_household_page_week_lists_each_activity_with_time_room_and_leader(client, world):
    client.force_login(world.parent)
    with translation.override("en"):
        page = client.get(reverse("portal:household_home", args=[world.children[0].household.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    vendor_meeting, staff_meeting = world.vendor_meetings[1], world.staff_meetings[1]
    for meeting, leader in (
        (vendor_meeting, vendor_meeting.instructor.name),
        (staff_meeting, world.staff.name),
    ):
        row = f'data-testid="week-session-{meeting.pk}"'
        assert row in html
        part = html.split(row, 1)[1].split("</li>", 1)[0]
        assert meeting.activity.name in part
        assert f"{meeting.start:%H:%M}–{meeting.end:%H:%M}" in part
        assert meeting.room.name in part
        assert leader in part
    assert f'data-testid="week-session-{world.supervision[1].pk}"' in html


def _events(content: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_household_calendar_includes_places_and_supervision(client, world):
    client.force_login(world.parent)
    response = client.get(reverse("portal:household_calendar", args=[world.children[0].household.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = _events(response.content)
    expected = world.supervision + world.vendor_meetings + world.staff_meetings
    assert set(events) == {f"session-{s.pk}@afterschool" for s in expected}
    meeting = events[f"session-{world.vendor_meetings[0].pk}@afterschool"]
    assert world.vendor_activity.name in str(meeting["SUMMARY"])
    assert str(meeting["LOCATION"]) == world.vendor_meetings[0].room.name
    assert world.vendor_meetings[0].instructor.name in str(meeting["DESCRIPTION"])


def test_household_calendar_leaves_out_withdrawn_places(client, world):
    withdraw(world.enrolments[(0, "staff")], on=D(2026, 9, 7))
    client.force_login(world.parent)
    response = client.get(reverse("portal:household_calendar", args=[world.children[0].household.pk]))
    uids = set(_events(response.content))
    assert not uids & {f"session-{s.pk}@afterschool" for s in world.staff_meetings}


def test_household_calendar_of_two_children_lists_a_shared_session_once(client, world):
    c0, c1 = world.children
    c1.household = c0.household
    c1.save(update_fields=["household"])
    client.force_login(world.parent)
    response = client.get(reverse("portal:household_calendar", args=[c0.household.pk]))
    calendar = Calendar.from_ical(response.content)
    uids = [str(event["UID"]) for event in calendar.walk("VEVENT")]
    assert len(uids) == len(set(uids))
    shared = _events(response.content)[f"session-{world.vendor_meetings[0].pk}@afterschool"]
    assert c0.name in str(shared["SUMMARY"]) and c1.name in str(shared["SUMMARY"])


def test_another_households_calendar_is_404(client, world):
    client.force_login(f.ParentFactory().user)
    response = client.get(reverse("portal:household_calendar", args=[world.children[0].household.pk]))
    assert response.status_code == 404
