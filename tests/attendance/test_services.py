"""Recording attendance (``services.attendance_record``): rules, corrections, delivery, signal."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from marketplace.enrolment.models import Enrolment
from scheduling.attendance.models import AttendanceRecord, SessionDelivery
from scheduling.attendance.services import AttendanceError, attendance_record
from scheduling.attendance.signals import session_delivered
from tests import factories as f
from tests.attendance import MONDAY, WEDNESDAY, D

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The refusals are read in English here (Chinese is the default language)."""
    with translation.override("en"):
        yield


@pytest.fixture
def pupils(world):
    return [f.ChildFactory(school_class=world.school_class) for _ in range(3)]


@pytest.fixture
def received():
    calls = []

    def receiver(sender, dated_session, **kwargs):
        calls.append(dated_session.pk)

    session_delivered.connect(receiver)
    yield calls
    session_delivered.disconnect(receiver)


def take(world, session, user, statuses, **kwargs):
    kwargs.setdefault("today", session.date)
    return attendance_record(dated_session=session, user=user, statuses=statuses, **kwargs)


def test_first_take_writes_records_delivery_and_signal(world, pupils, received):
    a, b, c = pupils
    delivery = take(
        world,
        world.supervision,
        world.teacher,
        {a.pk: "present", b.pk: "absent", str(c.pk): "excused"},
        note="Fire drill",
        notes={b.pk: "Sick"},
    )
    records = {r.child_id: r for r in AttendanceRecord.objects.filter(dated_session=world.supervision)}
    assert {pk: r.status for pk, r in records.items()} == {a.pk: "present", b.pk: "absent", c.pk: "excused"}
    assert records[b.pk].note == "Sick" and records[a.pk].recorded_by == world.teacher
    assert delivery.dated_session == world.supervision and delivery.recorded_by == world.teacher
    assert delivery.note == "Fire drill"
    assert SessionDelivery.objects.count() == 1
    assert received == [world.supervision.pk]


def test_retake_updates_without_duplicating_and_keeps_the_delivery(world, pupils, received):
    a, b, c = pupils
    first = take(world, world.supervision, world.teacher, {a.pk: "present", b.pk: "present", c.pk: "present"})
    second = take(
        world,
        world.supervision,
        world.admin,
        {a.pk: "present", b.pk: "absent", c.pk: "present"},
        note="corrected",
        today=D(2026, 9, 15),
    )
    assert second.pk == first.pk
    assert second.delivered_at == first.delivered_at and second.recorded_by == world.teacher
    assert second.note == "corrected"
    assert AttendanceRecord.objects.filter(dated_session=world.supervision).count() == 3
    b_record = AttendanceRecord.objects.get(dated_session=world.supervision, child=b)
    assert b_record.status == "absent" and b_record.recorded_by == world.admin
    assert AttendanceRecord.objects.get(dated_session=world.supervision, child=a).recorded_by == world.teacher
    assert SessionDelivery.objects.count() == 1
    assert received == [world.supervision.pk]  # sent once only


def test_future_session_refused(world, pupils, received):
    statuses = {child.pk: "present" for child in pupils}
    with pytest.raises(AttendanceError) as excinfo:
        take(world, world.supervision, world.teacher, statuses, today=MONDAY.replace(day=13))
    assert excinfo.value.code == "register_not_open"
    assert not AttendanceRecord.objects.exists() and not SessionDelivery.objects.exists()
    assert received == []


def test_unpublished_run_refused(world, pupils):
    world.run.published_at = None
    world.run.save()
    with pytest.raises(AttendanceError) as excinfo:
        take(world, world.supervision, world.teacher, {child.pk: "present" for child in pupils})
    assert excinfo.value.code == "not_published"
    assert not SessionDelivery.objects.exists()


def test_child_not_on_roster_refused(world, pupils):
    stranger = f.ChildFactory(school=world.school)
    statuses = {child.pk: "present" for child in pupils} | {stranger.pk: "present"}
    with pytest.raises(AttendanceError) as excinfo:
        take(world, world.supervision, world.teacher, statuses)
    assert excinfo.value.code == "not_on_roster"
    assert not AttendanceRecord.objects.exists() and not SessionDelivery.objects.exists()


def test_missing_child_refused(world, pupils):
    with pytest.raises(AttendanceError) as excinfo:
        take(world, world.supervision, world.teacher, {pupils[0].pk: "present"})
    assert excinfo.value.code == "status_missing"
    assert not AttendanceRecord.objects.exists()


def test_bad_status_refused(world, pupils):
    statuses = {child.pk: "present" for child in pupils} | {pupils[1].pk: "late"}
    with pytest.raises(AttendanceError) as excinfo:
        take(world, world.supervision, world.teacher, statuses)
    assert excinfo.value.code == "status_invalid"
    assert not AttendanceRecord.objects.exists()


def test_overlong_note_refused(world, pupils):
    with pytest.raises(AttendanceError) as excinfo:
        take(world, world.supervision, world.teacher, {c.pk: "present" for c in pupils}, note="x" * 501)
    assert excinfo.value.code == "note_too_long"
    assert not SessionDelivery.objects.exists()


@pytest.mark.parametrize("who", ["other_teacher", "other_vendor_user", "vendor_user"])
def test_someone_else_refused(world, pupils, who):
    with pytest.raises(AttendanceError) as excinfo:
        take(world, world.supervision, getattr(world, who), {c.pk: "present" for c in pupils})
    assert excinfo.value.code == "not_allowed"
    assert not SessionDelivery.objects.exists()


def test_vendor_member_takes_meeting(world, received):
    child = f.ChildFactory(school_class=world.school_class)
    Enrolment.objects.create(
        child=child,
        activity=world.activity,
        status=Enrolment.Status.PLACED,
        source=Enrolment.Source.LATE,
        joined_on=D(2026, 9, 7),
    )
    take(world, world.meeting, world.vendor_user, {child.pk: "present"}, today=WEDNESDAY)
    assert AttendanceRecord.objects.get().child == child
    assert received == [world.meeting.pk]


def test_empty_roster_is_still_delivered(world, received):
    delivery = take(world, world.meeting, world.vendor_user, {})
    assert delivery.pk and received == [world.meeting.pk]


def test_database_refuses_duplicates_and_bad_status(world, pupils):
    take(world, world.supervision, world.teacher, {c.pk: "present" for c in pupils})
    record = AttendanceRecord.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        AttendanceRecord.objects.create(
            dated_session=world.supervision,
            child=record.child,
            status="absent",
            recorded_at=record.recorded_at,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        AttendanceRecord.objects.filter(pk=record.pk).update(status="late")
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionDelivery.objects.create(dated_session=world.supervision, delivered_at=record.recorded_at)


def test_republishing_keeps_delivered_sessions_and_replaces_only_later_days(world, pupils):
    """A session whose attendance was taken is history: a later publish keeps it (and
    every day up to it) instead of failing on the protected delivery."""
    from scheduling.timetables.models import DatedSession
    from scheduling.timetables.publishing import run_publish
    from tests.attendance import published_run

    take(world, world.supervision, world.teacher, {c.pk: "present" for c in pupils})
    new_run = published_run(world.school, world.term, published=False)
    new_run.solution = {
        "status": "optimal",
        "supervisions": [],
        "meetings": [],
        "cancelled": [],
        "enrollments": [],
    }
    new_run.save()
    run_publish(run=new_run, today=world.supervision.date)
    assert DatedSession.objects.filter(pk=world.supervision.pk).exists()
    assert world.supervision.delivery is not None
    # The undelivered Wednesday meeting after it was replaced by the new run's (empty) week.
    assert not DatedSession.objects.filter(pk=world.meeting.pk).exists()
