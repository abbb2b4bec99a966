"""A parent in the browser: the family's week lists each child's enrichment sessions (day,
time, room and who leads them) beside supervised study, and "Withdraw" asks to confirm before
it gives the place away and refunds."""

import datetime
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from marketplace.enrolment.models import Enrolment
from marketplace.ledger.services import held_in, ledger_pay
from people.accounts.models import User
from people.roles.models import Membership, Role
from scheduling.slots.models import Slot
from scheduling.timetables.models import DatedSession, TimetableRun
from scheduling.timetables.selectors import week_of
from tests import factories as f
from tests.browser.conftest import login

PASSWORD = "demo12345"
EMAIL = "parent.week@example.com"


@pytest.fixture
def family(transactional_db):
    """A term around today; this week: supervised study on Monday, a vendor's robotics club
    (instructor 周老师, room 科创室) on Thursday at 16:40, the school's choir on Friday; the child
    holds a place in both activities, and ¥120.00 is paid for the robotics club."""
    today = timezone.localdate()
    monday, _sunday = week_of(today)
    school = f.SchoolFactory()
    term = f.TermFactory(start=monday - datetime.timedelta(days=28), end=monday + datetime.timedelta(days=60))
    slot = {
        day: f.SlotFactory(
            school=school,
            weekday=day,
            start=datetime.time(16, 40),
            end=datetime.time(17, 40),
            kind=Slot.Kind.SUPERVISED if day == 0 else Slot.Kind.ENRICHMENT,
        )
        for day in (0, 3, 4)
    }
    school_class = f.SchoolClassFactory(school=school)
    staff = f.StaffMemberFactory(school=school, name="李老师")
    vendor = f.VendorFactory()
    instructor = f.InstructorFactory(vendor=vendor, name="周老师")
    robotics = f.ActivityFactory(course__vendor=vendor, school=school, term=term, name="机器人社")
    choir = f.SchoolActivityFactory(course__school=school, school=school, term=term, name="合唱团")
    lab = f.RoomFactory(school=school, name="科创室")
    hall = f.RoomFactory(school=school, name="音乐厅")
    run = TimetableRun.objects.create(
        school=school,
        term=term,
        status=TimetableRun.Status.DONE,
        problem={},
        solution={"status": "optimal"},
        published_at=timezone.now(),
    )

    def session(day, **fields):
        return DatedSession.objects.create(
            school=school,
            term=term,
            run=run,
            date=monday + datetime.timedelta(days=day),
            slot=slot[day],
            start=slot[day].start,
            end=slot[day].end,
            **fields,
        )

    supervision = session(
        0,
        kind=DatedSession.Kind.SUPERVISION,
        school_class=school_class,
        staff=staff,
        room=school_class.home_room,
    )
    robotics_meeting = session(
        3, kind=DatedSession.Kind.MEETING, activity=robotics, instructor=instructor, room=lab
    )
    choir_meeting = session(4, kind=DatedSession.Kind.MEETING, activity=choir, staff=staff, room=hall)

    user = User.objects.create_user(email=EMAIL, password=PASSWORD, name="王家长")
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    household = f.HouseholdFactory(name="王家")
    Membership.objects.create(user=user, role=Role.PARENT, household=household)
    child = f.ChildFactory(household=household, school_class=school_class, name="王小明")
    places = {
        activity: Enrolment.objects.create(
            child=child,
            activity=activity,
            status=Enrolment.Status.PLACED,
            source=Enrolment.Source.ALLOCATION,
            joined_on=term.start,
        )
        for activity in (robotics, choir)
    }
    ledger_pay(child=child, lines=[(robotics, Decimal("120.00"))])
    return {
        "household": household,
        "child": child,
        "robotics": robotics,
        "supervision": supervision,
        "robotics_meeting": robotics_meeting,
        "choir_meeting": choir_meeting,
        "places": places,
    }


def test_the_familys_week_lists_an_enrichment_session_with_time_room_and_leader(
    family, live_server, new_page
):
    page = new_page()
    login(page, live_server, EMAIL, PASSWORD)
    page.goto(f"{live_server.url}{reverse('portal:household_home', args=[family['household'].pk])}")
    week = page.get_by_test_id("child-week")
    robotics = week.get_by_test_id(f"week-session-{family['robotics_meeting'].pk}")
    text = robotics.inner_text()
    assert "机器人社" in text
    assert "16:40–17:40" in text
    assert "科创室" in text
    assert "周老师" in text
    choir = week.get_by_test_id(f"week-session-{family['choir_meeting'].pk}").inner_text()
    assert "合唱团" in choir and "音乐厅" in choir and "李老师" in choir
    assert week.get_by_test_id(f"week-session-{family['supervision'].pk}").is_visible()
    # The calendar feed is offered and names the session too.
    href = page.get_by_test_id("calendar-link").get_attribute("href")
    assert href == reverse("portal:household_calendar", args=[family["household"].pk])
    feed = page.request.get(f"{live_server.url}{href}")
    assert feed.ok and "机器人社" in feed.text() and "科创室" in feed.text()


def test_withdraw_shows_a_confirmation_and_only_confirming_withdraws(family, live_server, new_page):
    place = family["places"][family["robotics"]]
    page = new_page()
    login(page, live_server, EMAIL, PASSWORD)
    page.goto(f"{live_server.url}{reverse('enrolment:household', args=[family['household'].pk])}")
    page.locator(f"[data-testid=live-enrolment][data-enrolment='{place.pk}'] [data-testid=withdraw]").click()
    page.get_by_test_id("confirm-withdraw").wait_for()
    assert "¥120.00" in page.get_by_test_id("refund-amount").inner_text()
    place.refresh_from_db()
    assert place.status == "placed"  # the first tap only asked

    page.get_by_test_id("cancel-withdraw").click()
    page.wait_for_load_state("networkidle")
    place.refresh_from_db()
    assert place.status == "placed"  # "No, keep it" changed nothing

    page.locator(f"[data-testid=live-enrolment][data-enrolment='{place.pk}'] [data-testid=withdraw]").click()
    page.get_by_test_id("confirm-withdraw").click()
    page.wait_for_load_state("networkidle")
    place.refresh_from_db()
    assert place.status == "withdrawn"
    assert held_in(child=family["child"], activity=family["robotics"]) == Decimal("0.00")
    assert page.locator(f"[data-testid=live-enrolment][data-enrolment='{place.pk}']").count() == 0
