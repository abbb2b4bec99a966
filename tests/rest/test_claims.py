"""Claiming rest (``scheduling.rest.services``): automatic cover, pending, two claims on one
day, the administrator's decision, cancellation and every refusal."""

import pytest
from django.core import mail
from django.utils import translation

from scheduling.rest.models import CoverAssignment, RestClaim
from scheduling.rest.selectors import balance_on
from scheduling.rest.services import (
    RestError,
    rest_claim,
    rest_claim_cancel,
    rest_claim_decide,
    rest_policy_update,
)
from scheduling.timetables.models import DatedSession
from tests import factories as f
from tests.rest import BEFORE, MONDAY, WEDNESDAY, D, build_claims_world, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    return build_claims_world()


def session(world, day, **kwargs):
    return DatedSession.objects.get(school=world.school, date=day, **kwargs)


def claim(world, staff, day, user=None):
    return rest_claim(staff=staff, date=day, user=user or world.wang_user, today=BEFORE)


def test_approved_at_once_when_a_substitute_is_free(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = claim(world, world.wang, MONDAY)
    assert (result.status, result.automatic, result.uncovered) == ("approved", True, [])
    supervision = session(world, MONDAY, school_class=world.c32)
    assert supervision.staff == world.chen
    [cover] = result.covers.all()
    assert (cover.from_staff, cover.to_staff, cover.dated_session) == (world.wang, world.chen, supervision)
    # Only that date changed; the other Mondays are still 王丽's.
    assert session(world, D(2026, 9, 21), school_class=world.c32).staff == world.wang
    assert balance_on(world.wang, MONDAY) == 1
    [message] = mail.outbox
    assert message.to == [world.chen_user.email]
    assert "2026" in message.subject or "Sep" in message.subject


def test_a_staff_activity_is_covered_by_a_colleague_with_the_subject(world):
    result = claim(world, world.wang, WEDNESDAY)
    assert result.status == "approved"
    assert session(world, WEDNESDAY, kind="meeting").staff == world.chen


@pytest.mark.parametrize("day", [D(2026, 9, 15), D(2026, 9, 19)])  # a Tuesday (no slot), a Saturday
def test_a_day_without_duties_is_refused_and_keeps_the_credit(world, day):
    assert balance_on(world.wang, day) == 2
    with pytest.raises(RestError) as caught:
        claim(world, world.wang, day)
    assert caught.value.code == "no_duties_that_day"
    assert not RestClaim.objects.exists() and not CoverAssignment.objects.exists()
    assert balance_on(world.wang, day) == 2


def test_a_day_on_which_another_teacher_has_duties_is_still_refused(world):
    # 李娜 supervises on Mondays only; 王丽's Wednesday meeting is not hers to rest from.
    with pytest.raises(RestError) as caught:
        claim(world, world.li, WEDNESDAY, user=world.li_user)
    assert caught.value.code == "no_duties_that_day"


def test_pending_when_nobody_can_cover(world, django_capture_on_commit_callbacks):
    world.chen.unavailable.add(world.slots["mon-1"])
    world.run.problem["staff"] = [
        {**row, "unavailable": ["mon-1"]} if row["id"] == f"t{world.chen.pk}" else row
        for row in world.run.problem["staff"]
    ]
    world.run.save(update_fields=["problem"])
    with django_capture_on_commit_callbacks(execute=True):
        result = claim(world, world.wang, MONDAY)
    assert (result.status, result.automatic) == ("pending", False)
    [duty] = result.uncovered
    assert duty["code"] == "no_substitute" and duty["class"] == "3-2"
    assert duty["session"] == session(world, MONDAY, school_class=world.c32).pk
    assert session(world, MONDAY, school_class=world.c32).staff == world.wang  # nothing handed over
    assert balance_on(world.wang, MONDAY) == 1  # a pending claim holds its credit
    [message] = mail.outbox
    assert message.to == [world.admin.email]


def test_two_claims_on_one_day_count_the_covers_already_granted(world):
    first = claim(world, world.wang, MONDAY)
    assert first.status == "approved"
    second = claim(world, world.li, MONDAY, user=world.li_user)
    # 陈刚 already covers 3-2 in mon-1 and 王丽 rests: nobody is left for 3-3.
    assert second.status == "pending"
    [duty] = second.uncovered
    assert (duty["class"], duty["code"]) == ("3-3", "no_substitute")
    assert session(world, MONDAY, school_class=world.c33).staff == world.li
    assert session(world, MONDAY, school_class=world.c32).staff == world.chen


def test_the_substitute_resting_too_hands_the_session_on(world):
    claim(world, world.wang, WEDNESDAY)  # 陈刚 takes 书法
    world.li.subjects.add(*world.chen.subjects.all())
    world.run.problem["staff"] = [
        {**row, "subjects": ["calligraphy"]} if row["id"] == f"t{world.li.pk}" else row
        for row in world.run.problem["staff"]
    ]
    world.run.save(update_fields=["problem"])
    second = claim(world, world.chen, WEDNESDAY, user=world.chen_user)
    assert second.status == "approved"
    meeting = session(world, WEDNESDAY, kind="meeting")
    assert meeting.staff == world.li
    # Cancelling the second claim hands the meeting back to 陈刚, who still covers 王丽.
    rest_claim_cancel(claim=second, user=world.chen_user, today=BEFORE)
    meeting.refresh_from_db()
    assert meeting.staff == world.chen


def test_cancelling_restores_the_session_and_the_credit(world, django_capture_on_commit_callbacks):
    result = claim(world, world.wang, MONDAY)
    assert balance_on(world.wang, MONDAY) == 1
    with django_capture_on_commit_callbacks(execute=True):
        rest_claim_cancel(claim=result, user=world.wang_user, today=BEFORE)
    result.refresh_from_db()
    assert result.status == "cancelled" and result.cancelled_at is not None
    assert session(world, MONDAY, school_class=world.c32).staff == world.wang
    assert CoverAssignment.objects.get().withdrawn_at is not None
    assert balance_on(world.wang, MONDAY) == 2
    assert [m.to for m in mail.outbox] == [[world.chen_user.email]]
    assert "withdrawn" in mail.outbox[0].subject
    # The day is free again for another claim, which can now use 陈刚.
    assert claim(world, world.li, MONDAY, user=world.li_user).status == "approved"


def test_cancel_refusals(world):
    result = claim(world, world.wang, MONDAY)
    with pytest.raises(RestError, match="may not cancel") as caught:
        rest_claim_cancel(claim=result, user=world.li_user, today=BEFORE)
    assert caught.value.code == "not_allowed"
    with pytest.raises(RestError, match="only before the day") as caught:
        rest_claim_cancel(claim=result, user=world.wang_user, today=MONDAY)
    assert caught.value.code == "day_passed"
    other_admin = f.SchoolAdminFactory().user
    with pytest.raises(RestError, match="may not cancel") as caught:
        rest_claim_cancel(claim=result, user=other_admin, today=BEFORE)
    assert caught.value.code == "not_allowed"
    rest_claim_cancel(claim=result, user=world.admin, today=BEFORE)  # the school's administrator may
    with pytest.raises(RestError, match="approved or pending") as caught:
        rest_claim_cancel(claim=result, user=world.wang_user, today=BEFORE)
    assert caught.value.code == "not_live"


def test_claim_refusals(world):
    with pytest.raises(RestError, match="after today") as caught:
        claim(world, world.wang, BEFORE)
    assert caught.value.code == "not_after_today"
    claim(world, world.wang, MONDAY)
    with pytest.raises(RestError, match="already claimed") as caught:
        claim(world, world.wang, MONDAY)
    assert caught.value.code == "already_claimed"
    claim(world, world.wang, WEDNESDAY)
    with pytest.raises(RestError, match="no rest day left") as caught:
        claim(world, world.wang, D(2026, 9, 21))
    assert caught.value.code == "no_credit"
    assert RestClaim.objects.filter(staff=world.wang).count() == 2


def test_no_credit_at_all_is_refused():
    world = build_world()
    user = f.TeacherFactory(school=world.school, staff=world.wang).user
    with translation.override("en"), pytest.raises(RestError, match="no rest day left") as caught:
        rest_claim(staff=world.wang, date=MONDAY, user=user, today=BEFORE)
    assert caught.value.code == "no_credit"
    assert not RestClaim.objects.exists()


def test_admin_approves_a_pending_claim_with_a_note(world):
    claim(world, world.wang, MONDAY)
    pending = claim(world, world.li, MONDAY, user=world.li_user)
    with pytest.raises(RestError, match="say in the note") as caught:
        rest_claim_decide(claim=pending, user=world.admin, approve=True, note="", today=BEFORE)
    assert caught.value.code == "note_required"
    with pytest.raises(RestError, match="Only an administrator") as caught:
        rest_claim_decide(
            claim=pending, user=f.SchoolAdminFactory().user, approve=True, note="x", today=BEFORE
        )
    assert caught.value.code == "not_admin"
    decided = rest_claim_decide(
        claim=pending, user=world.admin, approve=True, note="The head covers 3-3.", today=BEFORE
    )
    assert (decided.status, decided.automatic, decided.decided_by) == ("approved", False, world.admin)
    assert decided.uncovered and decided.uncovered[0]["class"] == "3-3"
    with pytest.raises(RestError, match="already been decided") as caught:
        rest_claim_decide(claim=pending, user=world.admin, approve=False, today=BEFORE)
    assert caught.value.code == "already_decided"


def test_admin_approval_hands_over_what_has_become_coverable(world):
    first = claim(world, world.wang, MONDAY)
    pending = claim(world, world.li, MONDAY, user=world.li_user)
    rest_claim_cancel(claim=first, user=world.wang_user, today=BEFORE)  # 陈刚 is free again
    decided = rest_claim_decide(claim=pending, user=world.admin, approve=True, today=BEFORE)
    assert (decided.status, decided.uncovered) == ("approved", [])
    assert session(world, MONDAY, school_class=world.c33).staff == world.chen


def test_admin_refuses_and_the_credit_is_back(world):
    claim(world, world.wang, MONDAY)
    pending = claim(world, world.li, MONDAY, user=world.li_user)
    assert balance_on(world.li, MONDAY) == 1
    rest_claim_decide(claim=pending, user=world.admin, approve=False, note="Exam week", today=BEFORE)
    pending.refresh_from_db()
    assert pending.status == "rejected" and pending.decision_note == "Exam week"
    assert balance_on(world.li, MONDAY) == 2
    assert session(world, MONDAY, school_class=world.c33).staff == world.li


def test_policy_update_by_the_schools_administrator_only(world):
    policy = rest_policy_update(
        school=world.school,
        user=world.admin,
        duties_per_credit=2,
        max_credits_per_term=None,
        expiry_month=7,
        expiry_day=31,
    )
    assert (policy.duties_per_credit, policy.max_credits_per_term, policy.expiry_month) == (2, None, 7)
    with pytest.raises(RestError, match="Only an administrator") as caught:
        rest_policy_update(
            school=world.school,
            user=world.wang_user,
            duties_per_credit=1,
            max_credits_per_term=1,
            expiry_month=8,
            expiry_day=31,
        )
    assert caught.value.code == "not_admin"
    with pytest.raises(RestError) as caught:
        rest_policy_update(
            school=world.school,
            user=world.admin,
            duties_per_credit=0,
            max_credits_per_term=1,
            expiry_month=13,
            expiry_day=31,
        )
    assert caught.value.code == "invalid_policy"


def test_the_teachers_own_cancellation_says_so(world):
    """An automatically approved claim the teacher then cancels reads "Cancelled by the
    teacher", never "Cancelled automatically"."""
    own = claim(world, world.wang, MONDAY)
    assert own.status_text == "Approved automatically"
    rest_claim_cancel(claim=own, user=world.wang_user, today=BEFORE)
    own.refresh_from_db()
    assert (own.cancelled_by, own.cancelled_by_claimant) == (world.wang_user, True)
    assert own.status_text == "Cancelled by the teacher"

    theirs = claim(world, world.li, MONDAY, user=world.li_user)
    rest_claim_cancel(claim=theirs, user=world.admin, today=BEFORE)
    theirs.refresh_from_db()
    assert (theirs.cancelled_by, theirs.cancelled_by_claimant) == (world.admin, False)
    assert theirs.status_text == "Cancelled by the administrator"
