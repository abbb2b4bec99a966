"""Re-publishing the timetable with approved rest days ahead: each is covered again on the
new sessions, or returned to the administrator with the teacher told — never left
"approved" with its cover gone."""

import copy

import pytest
from django.core import mail
from django.utils import translation

from scheduling.rest.models import CoverAssignment, RestClaim
from scheduling.rest.selectors import balance_on
from scheduling.rest.services import rest_claim, rest_claim_decide
from scheduling.timetables.assembly import staff_key
from scheduling.timetables.models import DatedSession, TimetableRun
from scheduling.timetables.publishing import publish
from tests.rest import BEFORE, MONDAY, D, build_claims_world

pytestmark = pytest.mark.django_db

REPUBLISH_FROM = D(2026, 9, 10)  # after the sessions of ``give_duties``, before MONDAY


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    return build_claims_world(users=("wang", "chen"))


def second_run(world, *, chen_unavailable_monday=False) -> TimetableRun:
    problem = copy.deepcopy(world.run.problem)
    if chen_unavailable_monday:
        world.chen.unavailable.add(world.slots["mon-1"])
        problem["staff"] = [
            {**row, "unavailable": ["mon-1"]} if row["id"] == staff_key(world.chen.pk) else row
            for row in problem["staff"]
        ]
    return TimetableRun.objects.create(
        school=world.school,
        term=world.term,
        status=TimetableRun.Status.DONE,
        problem=problem,
        solution=copy.deepcopy(world.run.solution),
    )


def supervision_of_32(world, day=MONDAY) -> DatedSession:
    return DatedSession.objects.get(school=world.school, date=day, school_class=world.c32)


def test_a_republish_covers_an_approved_rest_day_again(world, django_capture_on_commit_callbacks):
    approved = rest_claim(staff=world.wang, date=MONDAY, user=world.wang_user, today=BEFORE)
    assert approved.status == "approved" and supervision_of_32(world).staff == world.chen
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        result = publish(run=second_run(world), today=REPUBLISH_FROM)

    approved.refresh_from_db()
    assert approved.status == "approved"
    assert result.recovered == [approved] and result.reopened == []
    session = supervision_of_32(world)
    assert session.run_id != world.run.pk  # a new session of the new run …
    assert session.staff == world.chen  # … handed to the substitute again
    cover = CoverAssignment.objects.get(dated_session=session, withdrawn_at__isnull=True)
    assert (cover.claim, cover.from_staff, cover.to_staff) == (approved, world.wang, world.chen)
    assert [m.to for m in mail.outbox] == [[world.chen_user.email]]


def test_a_republish_that_leaves_the_day_uncovered_returns_the_claim(
    world, django_capture_on_commit_callbacks
):
    approved = rest_claim(staff=world.wang, date=MONDAY, user=world.wang_user, today=BEFORE)
    assert approved.status == "approved"
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        result = publish(run=second_run(world, chen_unavailable_monday=True), today=REPUBLISH_FROM)

    approved.refresh_from_db()
    assert result.reopened == [approved]
    assert approved.status == "pending" and approved.reopened_at is not None
    assert approved.status_text == "Back with the administrator: the timetable changed"
    [duty] = approved.uncovered
    assert duty["session"] == supervision_of_32(world).pk and duty["code"] == "no_substitute"
    assert supervision_of_32(world).staff == world.wang  # nothing handed over: visible, not silent
    assert balance_on(world.wang, MONDAY) == 1  # the credit is held while the claim waits
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([world.wang_user.email, world.admin.email])
    teacher_mail = next(m for m in mail.outbox if m.to == [world.wang_user.email])
    assert "administrator" in teacher_mail.body

    # The administrator decides again through the ordinary flow.
    decided = rest_claim_decide(
        claim=approved, user=world.admin, approve=True, note="The deputy head takes 3-2.", today=BEFORE
    )
    assert decided.status == "approved"


def test_claims_before_the_republished_days_are_left_alone(world):
    early = rest_claim(staff=world.wang, date=MONDAY, user=world.wang_user, today=BEFORE)
    result = publish(run=second_run(world, chen_unavailable_monday=True), today=D(2026, 9, 15))
    early.refresh_from_db()
    assert early.status == "approved" and result.reopened == [] and result.recovered == []
    assert supervision_of_32(world).staff == world.chen


def test_no_approved_claim_is_left_without_its_cover_after_a_republish(world):
    rest_claim(staff=world.wang, date=MONDAY, user=world.wang_user, today=BEFORE)
    rest_claim(staff=world.wang, date=D(2026, 9, 21), user=world.wang_user, today=BEFORE)
    publish(run=second_run(world), today=REPUBLISH_FROM)
    for approved in RestClaim.objects.filter(status="approved"):
        mine = DatedSession.objects.filter(school=world.school, date=approved.date, staff=world.wang)
        assert not mine.exists(), f"{approved.date}: a rest day with a session of the teacher's"
