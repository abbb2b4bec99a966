"""The credit rules (``scheduling.rest.selectors``) and the duty record of a delivery."""

import pytest
from django.utils import timezone

from scheduling.attendance.services import attendance_record
from scheduling.rest.models import CoverAssignment, DutyRecord, RestClaim, RestPolicy
from scheduling.rest.selectors import balance_on, credits_by_term, policy_for, school_year_end
from scheduling.timetables.models import DatedSession
from tests import factories as f
from tests.rest import MONDAY, TERM_START, D, build_world, give_duties

pytestmark = pytest.mark.django_db


def test_reading_the_policy_gives_the_defaults_and_writes_nothing():
    school = f.SchoolFactory()
    before = RestPolicy.objects.count()
    policy = policy_for(school)
    assert (policy.duties_per_credit, policy.max_credits_per_term) == (8, 5)
    assert (policy.expiry_month, policy.expiry_day) == (8, 31)
    assert policy.pk is None
    assert RestPolicy.objects.count() == before


def test_credits_per_duties_and_cap():
    staff = f.StaffMemberFactory()
    term = f.TermFactory(start=D(2026, 9, 1), end=D(2027, 1, 22))
    RestPolicy.objects.create(school=staff.school, duties_per_credit=3, max_credits_per_term=2)
    give_duties(staff, term, 5)
    [row] = credits_by_term(staff)
    assert (row.duties, row.earned, row.capped) == (5, 1, False)  # 5 // 3
    give_duties(staff, term, 4, first=D(2026, 10, 1))
    [row] = credits_by_term(staff)
    assert (row.duties, row.earned, row.capped) == (9, 2, True)  # 9 // 3 = 3, capped at 2
    RestPolicy.objects.filter(school=staff.school).update(max_credits_per_term=None)
    [row] = credits_by_term(staff)
    assert row.earned == 3


def test_credits_expire_at_the_end_of_the_school_year():
    staff = f.StaffMemberFactory()
    RestPolicy.objects.create(school=staff.school, duties_per_credit=1, max_credits_per_term=None)
    autumn = f.TermFactory(start=D(2026, 9, 1), end=D(2027, 1, 22))
    spring = f.TermFactory(start=D(2027, 2, 20), end=D(2027, 7, 5))
    old = f.TermFactory(start=D(2026, 2, 20), end=D(2026, 7, 5))
    give_duties(staff, old, 4)
    give_duties(staff, autumn, 2)
    give_duties(staff, spring, 1)
    policy = policy_for(staff.school)
    assert school_year_end(policy, D(2027, 1, 22)) == D(2027, 8, 31)
    assert school_year_end(policy, D(2026, 8, 31)) == D(2026, 8, 31)
    # Autumn and spring belong to the year ending 31 August 2027; last year's 4 have expired.
    assert balance_on(staff, D(2026, 12, 1)) == 3
    assert balance_on(staff, D(2026, 8, 1)) == 4  # a day of the old year still sees its credits
    assert balance_on(staff, D(2027, 9, 1)) == 0  # the next year has none yet
    RestPolicy.objects.filter(school=staff.school).update(expiry_month=2, expiry_day=31)
    policy.refresh_from_db()
    assert school_year_end(policy, D(2027, 1, 1)) == D(2027, 2, 28)  # a day February lacks


def test_live_claims_use_credits_and_cancelled_ones_do_not():
    staff = f.StaffMemberFactory()
    RestPolicy.objects.create(school=staff.school, duties_per_credit=1)
    term = f.TermFactory(start=D(2026, 9, 1), end=D(2027, 1, 22))
    give_duties(staff, term, 2)
    RestClaim.objects.create(staff=staff, date=D(2026, 11, 2), status="approved")
    RestClaim.objects.create(staff=staff, date=D(2026, 11, 3), status="pending")
    assert balance_on(staff, D(2026, 11, 1)) == 0
    RestClaim.objects.filter(date=D(2026, 11, 3)).update(status="cancelled", cancelled_at=timezone.now())
    RestClaim.objects.create(staff=staff, date=D(2026, 11, 4), status="rejected")
    assert balance_on(staff, D(2026, 11, 1)) == 1


def test_delivery_writes_the_duty_record_of_the_holder():
    world = build_world()
    admin = f.SchoolAdminFactory(school=world.school)
    session = DatedSession.objects.get(school=world.school, date=TERM_START, school_class=world.c32)
    attendance_record(dated_session=session, user=admin.user, statuses={}, today=TERM_START)
    record = DutyRecord.objects.get(dated_session=session)
    assert (record.staff, record.term, record.date, record.kind, record.as_cover) == (
        world.wang,
        world.term,
        TERM_START,
        "supervision",
        False,
    )
    # Taking it again (a correction) writes nothing more.
    attendance_record(dated_session=session, user=admin.user, statuses={}, today=TERM_START)
    assert DutyRecord.objects.filter(staff=world.wang).count() == 1


def test_delivery_of_a_covered_session_is_a_cover_duty_of_the_substitute():
    world = build_world()
    admin = f.SchoolAdminFactory(school=world.school)
    session = DatedSession.objects.get(school=world.school, date=MONDAY, school_class=world.c32)
    claim = RestClaim.objects.create(staff=world.wang, date=MONDAY, status="approved")
    CoverAssignment.objects.create(
        claim=claim, dated_session=session, from_staff=world.wang, to_staff=world.chen
    )
    DatedSession.objects.filter(pk=session.pk).update(staff=world.chen)
    attendance_record(dated_session=session, user=admin.user, statuses={}, today=MONDAY)
    record = DutyRecord.objects.get(dated_session=session)
    assert (record.staff, record.as_cover, record.kind) == (world.chen, True, "supervision")


def test_a_meeting_is_an_activity_duty():
    world = build_world()
    admin = f.SchoolAdminFactory(school=world.school)
    session = DatedSession.objects.get(school=world.school, date=D(2026, 9, 9), kind="meeting")
    attendance_record(dated_session=session, user=admin.user, statuses={}, today=D(2026, 9, 9))
    assert DutyRecord.objects.get(dated_session=session).kind == "activity"
