"""Publishing a run into dated sessions (``scheduling.timetables.publishing``), and reading them
back (``scheduling.timetables.selectors``)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from scheduling.slots.models import Slot
from scheduling.slots.selectors import slot_codes
from scheduling.timetables import publishing
from scheduling.timetables.assembly import activity_key, class_key, instructor_key, staff_key
from scheduling.timetables.models import DatedSession, TimetableRun
from scheduling.timetables.publishing import PublishError, run_publish
from scheduling.timetables.selectors import sessions_for_class, sessions_for_staff, week_of
from tests import factories as f
from tests.timetables import (
    CLOSURE,
    HOLIDAY,
    MAKEUP,
    MEETING_DATES,
    SUPERVISION_DATES,
    D,
    T,
    build_school,
    done_run,
    solution,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The refusal messages are asserted in English (the interface default is Chinese)."""
    with translation.override("en"):
        yield


BEFORE_TERM = D(2026, 9, 1)


@pytest.fixture
def world():
    return build_school()


@pytest.fixture
def published(world):
    """The first run, published before the term begins."""
    run = done_run(world, solution(world))
    run_publish(run=run, today=BEFORE_TERM)
    return run


def snapshot(world):
    """Every session of the school as comparable tuples, by pk."""
    return {
        s.pk: (s.date, s.slot_id, s.kind, s.school_class_id, s.activity_id, s.staff_id, s.room_id, s.run_id)
        for s in DatedSession.objects.filter(school=world.school)
    }


# --- the dates ------------------------------------------------------------------------------


def test_sessions_fall_on_the_teaching_days(world):
    run = done_run(world, solution(world))
    created = run_publish(run=run, today=BEFORE_TERM)

    assert created == len(SUPERVISION_DATES) + len(MEETING_DATES) == 8
    assert DatedSession.objects.count() == 8
    supervisions = DatedSession.objects.filter(kind=DatedSession.Kind.SUPERVISION)
    meetings = DatedSession.objects.filter(kind=DatedSession.Kind.MEETING)
    assert [s.date for s in supervisions] == SUPERVISION_DATES
    assert [s.date for s in meetings] == MEETING_DATES
    dates = set(DatedSession.objects.values_list("date", flat=True))
    assert HOLIDAY not in dates  # the Wednesday holiday has no meeting
    assert CLOSURE not in dates  # the school's closure has no supervision
    assert D(2026, 9, 11) in dates  # another school's closure does not count here


def test_makeup_saturday_follows_fridays_timetable(world):
    run_publish(run=done_run(world, solution(world)), today=BEFORE_TERM)

    (saturday,) = DatedSession.objects.filter(date=MAKEUP)
    assert saturday.slot == world.slots["fri-1"]
    assert saturday.kind == DatedSession.Kind.SUPERVISION
    assert saturday.school_class == world.school_class
    assert (saturday.start, saturday.end) == (T(15, 30), T(16, 30))


def test_rows_are_mapped_and_times_copied_from_the_slots(world):
    run = done_run(world, solution(world, supervisor=world.chen, teacher=world.wang))
    run_publish(run=run, today=BEFORE_TERM)

    for session in DatedSession.objects.all():
        assert (session.school, session.term, session.run) == (world.school, world.term, run)
        assert (session.start, session.end) == (session.slot.start, session.slot.end)
        assert session.date.weekday() == session.slot.weekday or session.date == MAKEUP
        assert session.instructor is None
        if session.kind == DatedSession.Kind.SUPERVISION:
            assert (session.school_class, session.activity) == (world.school_class, None)
            assert (session.staff, session.room) == (world.chen, world.home)
        else:
            assert (session.school_class, session.activity) == (None, world.activity)
            assert (session.staff, session.room) == (world.wang, world.art)
            assert (session.start, session.end) == (T(16, 40), T(17, 40))


def test_sessions_before_today_are_not_written(world):
    created = run_publish(run=done_run(world, solution(world)), today=D(2026, 9, 18))
    assert created == 4
    assert sorted(DatedSession.objects.values_list("date", flat=True)) == [
        D(2026, 9, 18),
        MAKEUP,
        D(2026, 9, 23),
        D(2026, 9, 25),
    ]


def test_today_defaults_to_the_local_date(world, monkeypatch):
    monkeypatch.setattr(publishing.timezone, "localdate", lambda *args, **kwargs: D(2026, 9, 23))
    assert run_publish(run=done_run(world, solution(world))) == 2
    assert sorted(DatedSession.objects.values_list("date", flat=True)) == [D(2026, 9, 23), D(2026, 9, 25)]


def test_published_at_is_set(world):
    run = done_run(world, solution(world))
    before = timezone.now()
    run_publish(run=run, today=BEFORE_TERM)

    assert run.published_at is not None and run.published_at >= before
    run.refresh_from_db()
    assert run.published_at >= before


def test_feasible_solutions_are_published_too(world):
    assert run_publish(run=done_run(world, solution(world, status="feasible")), today=BEFORE_TERM) == 8


def test_vendor_activity_is_taught_by_its_instructor(world):
    vendor_activity = f.ActivityFactory(school=world.school, term=world.term, name="篮球")
    instructor = f.InstructorFactory(vendor=vendor_activity.vendor)
    meeting = {
        "activity": activity_key(vendor_activity.pk),
        "slot": "wed-1",
        "room": "r303",
        "teacher": instructor_key(instructor.pk),
    }
    run_publish(run=done_run(world, solution(world, meetings=[meeting])), today=BEFORE_TERM)

    sessions = DatedSession.objects.filter(activity=vendor_activity)
    assert [s.date for s in sessions] == MEETING_DATES
    assert all((s.instructor, s.staff, s.room) == (instructor, None, world.classroom) for s in sessions)


# --- re-publishing --------------------------------------------------------------------------


def test_republish_keeps_the_past_and_replaces_the_rest(world, published):
    before = snapshot(world)
    earlier = {pk: row for pk, row in before.items() if row[0] < D(2026, 9, 18)}
    assert len(earlier) == 4  # Mon 7, Wed 9, Fri 11, Mon 14

    second = done_run(world, solution(world, supervisor=world.chen, teacher=world.chen, room="r303"))
    created = run_publish(run=second, today=D(2026, 9, 18))

    assert created == 4  # Fri 18, Sat 19, Wed 23, Fri 25: the day itself is replaced too
    after = snapshot(world)
    # Every earlier session is untouched: same pk, same teacher, same room, same run.
    assert {pk: row for pk, row in after.items() if row[0] < D(2026, 9, 18)} == earlier
    later = DatedSession.objects.filter(date__gte=D(2026, 9, 18))
    assert sorted(s.date for s in later) == [D(2026, 9, 18), MAKEUP, D(2026, 9, 23), D(2026, 9, 25)]
    assert all(s.run == second and s.staff == world.chen for s in later)
    assert {s.room for s in later if s.kind == DatedSession.Kind.MEETING} == {world.classroom}
    assert not set(before) & {s.pk for s in later}
    assert DatedSession.objects.count() == 8


def test_republish_leaves_other_schools_and_terms_alone(world, published):
    other = build_school(school_name="另一所小学")
    run_publish(run=done_run(other, solution(other)), today=BEFORE_TERM)
    other_rows = snapshot(other)

    run_publish(run=done_run(world, solution(world, supervisor=world.chen)), today=D(2026, 9, 10))

    assert snapshot(other) == other_rows
    assert DatedSession.objects.filter(school=world.school).count() == 8


def test_publishing_twice_on_one_day_does_not_duplicate(world, published):
    assert run_publish(run=published, today=BEFORE_TERM) == 8
    assert DatedSession.objects.count() == 8


def test_publish_locks_the_schools_runs(world):
    run = done_run(world, solution(world))
    with CaptureQueriesContext(connection) as queries:
        run_publish(run=run, today=BEFORE_TERM)
    if connection.features.has_select_for_update:
        locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
        # The school's runs first, in a fixed order, then the school row (as rest claims do).
        assert "ORDER BY" in locks[0] and "timetables_timetablerun" in locks[0]
        assert "schools_school" in locks[1]


# --- refusals -------------------------------------------------------------------------------


def assert_refused(world, run, *, code, today=BEFORE_TERM, match=None) -> PublishError:
    rows = snapshot(world)
    published_at = TimetableRun.objects.get(pk=run.pk).published_at
    with pytest.raises(PublishError, match=match) as caught:
        run_publish(run=run, today=today)
    assert snapshot(world) == rows
    assert TimetableRun.objects.get(pk=run.pk).published_at == published_at
    assert isinstance(caught.value, ValidationError) and caught.value.message == str(caught.value)
    assert caught.value.code == code
    return caught.value


@pytest.mark.parametrize(
    "status", [TimetableRun.Status.QUEUED, TimetableRun.Status.RUNNING, TimetableRun.Status.FAILED]
)
def test_unfinished_run_is_refused(world, status):
    assert_refused(
        world, done_run(world, solution(world), status=status), code="not_finished", match="finished"
    )
    assert not DatedSession.objects.exists()


@pytest.mark.parametrize("sol_status", ["infeasible", "unknown"])
def test_run_without_a_timetable_is_refused(world, published, sol_status):
    assert_refused(
        world, done_run(world, solution(world, status=sol_status)), code="no_timetable", today=D(2026, 9, 14)
    )


def test_done_run_without_solution_is_refused(world):
    assert_refused(world, done_run(world, None), code="no_timetable")
    assert not DatedSession.objects.exists()


def test_refusal_message_is_translated(world):
    run = done_run(world, solution(world), status=TimetableRun.Status.RUNNING)
    with translation.override("en"), pytest.raises(PublishError) as english:
        run_publish(run=run, today=BEFORE_TERM)
    assert english.value.code == "not_finished"
    assert english.value.message == "Only a finished run can be published."


def test_another_schools_staff_is_refused(world, published):
    stranger = f.StaffMemberFactory(school=world.other_school)
    run = done_run(world, solution(world, supervisor=stranger))
    error = assert_refused(world, run, code="unknown_staff", today=D(2026, 9, 14))
    assert staff_key(stranger.pk) in error.message


def test_another_schools_room_is_refused(world, published):
    f.RoomFactory(school=world.other_school, code="gym")
    assert_refused(
        world,
        done_run(world, solution(world, room="gym")),
        code="unknown_room",
        today=D(2026, 9, 14),
        match="gym",
    )


def test_another_schools_class_is_refused(world, published):
    stranger = f.SchoolClassFactory(school=world.other_school, grade=5, number=1)
    extra = {"class": class_key(stranger), "slot": "mon-1", "staff": staff_key(world.chen.pk)}
    assert_refused(
        world, done_run(world, solution(world, supervisions=[extra])), code="unknown_class", match="5-1"
    )


def test_another_schools_or_terms_activity_is_refused(world):
    foreign = f.SchoolActivityFactory(course__school=world.other_school, term=world.term)
    next_term = f.SchoolActivityFactory(course__school=world.school)  # the factory's own term
    for activity in (foreign, next_term):
        meeting = {
            "activity": activity_key(activity.pk),
            "slot": "wed-1",
            "room": "r303",
            "teacher": staff_key(world.chen.pk),
        }
        assert_refused(world, done_run(world, solution(world, meetings=[meeting])), code="unknown_activity")


def test_unknown_slot_and_bad_ids_are_refused(world):
    extra = {"class": class_key(world.school_class), "slot": "tue-1", "staff": staff_key(world.chen.pk)}
    assert_refused(
        world, done_run(world, solution(world, supervisions=[extra])), code="unknown_slot", match="tue-1"
    )
    extra = {"class": class_key(world.school_class), "slot": "mon-1", "staff": "x12"}
    assert_refused(
        world, done_run(world, solution(world, supervisions=[extra])), code="unknown_staff", match="x12"
    )


def test_instructor_of_another_vendor_is_refused(world):
    vendor_activity = f.ActivityFactory(school=world.school, term=world.term)
    outsider = f.InstructorFactory()  # of another vendor
    meeting = {
        "activity": activity_key(vendor_activity.pk),
        "slot": "wed-1",
        "room": "r303",
        "teacher": instructor_key(outsider.pk),
    }
    assert_refused(world, done_run(world, solution(world, meetings=[meeting])), code="not_vendor_instructor")
    # Nor may a staff member take a vendor's activity, or an instructor a staff-run one.
    meeting["teacher"] = staff_key(world.chen.pk)
    assert_refused(world, done_run(world, solution(world, meetings=[meeting])), code="not_vendor_instructor")
    insider = f.InstructorFactory(vendor=vendor_activity.vendor)
    sol = solution(world)
    sol["meetings"][0]["teacher"] = instructor_key(insider.pk)
    assert_refused(world, done_run(world, sol), code="unknown_staff")


def test_malformed_solution_is_refused(world):
    sol = solution(world)
    sol["meetings"] = "a1 on wed-1"
    assert_refused(world, done_run(world, sol), code="malformed_solution", match="malformed")


def test_a_supervised_class_without_a_home_room_is_refused(world):
    world.school_class.home_room = None
    world.school_class.save()
    assert_refused(world, done_run(world, solution(world)), code="no_home_room", match="home room")


# --- uniqueness -----------------------------------------------------------------------------


def test_a_class_twice_in_one_slot_is_refused(world, published):
    extra = {"class": class_key(world.school_class), "slot": "mon-1", "staff": staff_key(world.chen.pk)}
    assert_refused(
        world, done_run(world, solution(world, supervisions=[extra])), code="double_booked", match="3-2"
    )


def test_a_room_twice_in_one_slot_is_refused(world, published):
    second = f.SchoolActivityFactory(course__school=world.school, term=world.term)
    meeting = {
        "activity": activity_key(second.pk),
        "slot": "wed-1",
        "room": "art",
        "teacher": staff_key(world.chen.pk),
    }
    assert_refused(
        world, done_run(world, solution(world, meetings=[meeting])), code="double_booked", match="art"
    )


def test_the_database_refuses_a_second_supervision_of_a_class(world, published):
    session = DatedSession.objects.filter(kind=DatedSession.Kind.SUPERVISION).first()
    duplicate = DatedSession.objects.get(pk=session.pk)
    duplicate.pk = None
    duplicate.staff = world.chen
    duplicate.room = world.classroom  # a different room: only the class constraint is broken
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_the_database_refuses_a_room_twice_in_one_slot(world, published):
    meeting = DatedSession.objects.filter(kind=DatedSession.Kind.MEETING).first()
    other = f.SchoolActivityFactory(course__school=world.school, term=world.term)
    with pytest.raises(IntegrityError), transaction.atomic():
        DatedSession.objects.create(
            school=world.school,
            term=world.term,
            run=published,
            date=meeting.date,
            slot=meeting.slot,
            start=meeting.start,
            end=meeting.end,
            kind=DatedSession.Kind.MEETING,
            activity=other,
            staff=world.chen,
            room=meeting.room,
        )


def test_a_failed_write_rolls_everything_back(world, published, monkeypatch):
    def clash(*args, **kwargs):
        raise IntegrityError("datedsession_room_once_per_slot")

    monkeypatch.setattr(DatedSession.objects, "bulk_create", clash)
    second = done_run(world, solution(world, supervisor=world.chen))
    # The deletion of the later sessions is undone with the failed insert.
    assert_refused(world, second, code="clashes_with_published", today=D(2026, 9, 14), match="clashes")


# --- selectors ------------------------------------------------------------------------------


def test_week_of():
    assert week_of(D(2026, 9, 16)) == (D(2026, 9, 14), D(2026, 9, 20))
    assert week_of(D(2026, 9, 14)) == (D(2026, 9, 14), D(2026, 9, 20))
    assert week_of(D(2026, 9, 20)) == (D(2026, 9, 14), D(2026, 9, 20))
    assert week_of(D(2026, 12, 31)) == (D(2026, 12, 28), D(2027, 1, 3))


def test_sessions_for_staff(world):
    sol = solution(world, supervisor=world.chen, teacher=world.wang)
    run_publish(run=done_run(world, sol), today=BEFORE_TERM)

    start, end = week_of(D(2026, 9, 16))
    assert [s.date for s in sessions_for_staff(staff=world.chen, start=start, end=end)] == [
        D(2026, 9, 14),
        D(2026, 9, 18),
        MAKEUP,
    ]
    assert not sessions_for_staff(staff=world.wang, start=start, end=end).exists()  # the holiday
    week_one = sessions_for_staff(staff=world.wang, start=D(2026, 9, 7), end=D(2026, 9, 13))
    assert [(s.date, s.kind) for s in week_one] == [(D(2026, 9, 9), DatedSession.Kind.MEETING)]
    everything = sessions_for_staff(staff=world.chen, start=None, end=None)
    assert [s.date for s in everything] == SUPERVISION_DATES


def test_sessions_for_class_lists_its_supervisions_only(world):
    other_class = f.SchoolClassFactory(school=world.school, grade=3, number=3, home_room=world.classroom)
    extra = {"class": class_key(other_class), "slot": "mon-1", "staff": staff_key(world.chen.pk)}
    run_publish(run=done_run(world, solution(world, supervisions=[extra])), today=BEFORE_TERM)

    mine = sessions_for_class(school_class=world.school_class, start=D(2026, 9, 7), end=D(2026, 9, 25))
    assert [s.date for s in mine] == SUPERVISION_DATES
    assert {s.school_class for s in mine} == {world.school_class}
    theirs = sessions_for_class(school_class=other_class, start=D(2026, 9, 14), end=D(2026, 9, 20))
    assert [(s.date, s.staff) for s in theirs] == [(D(2026, 9, 14), world.chen)]


def test_a_weekend_slot_produces_saturday_sessions(world):
    """A school that serves on Saturdays: its Saturday slot meets on every Saturday of the
    term, except a make-up Saturday, which follows the weekday it replaces."""
    saturday = f.SlotFactory(
        school=world.school, weekday=5, start=T(9, 0), end=T(10, 0), kind=Slot.Kind.ENRICHMENT
    )
    saturday_key = slot_codes(school=world.school)[saturday.pk]
    extra = {
        "activity": activity_key(world.activity.pk),
        "slot": saturday_key,
        "room": "art",
        "teacher": staff_key(world.wang.pk),
    }
    run_publish(run=done_run(world, solution(world, meetings=[extra])), today=BEFORE_TERM)
    saturdays = DatedSession.objects.filter(slot__weekday=5)
    assert [s.date for s in saturdays] == [D(2026, 9, 12)]
    assert not DatedSession.objects.filter(date=MAKEUP, slot__weekday=5).exists()
    assert DatedSession.objects.filter(date=MAKEUP, slot=world.slots["fri-1"]).exists()
