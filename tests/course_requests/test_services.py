"""The course request services: create, accept, decline, withdraw, and every refusal."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext

from marketplace.course_requests.models import CourseRequest
from marketplace.course_requests.services import (
    PurchaseError,
    course_request_accept,
    course_request_decline,
    course_request_withdraw,
)
from marketplace.courses.models import Activity, Course
from marketplace.fees.models import ChargingStandard
from marketplace.vendors.models import Vendor
from tests import factories as f
from tests.course_requests import build_world, enrichment_standard, request_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The services' refusals are read in English here; the pages' Chinese is checked in
    test_views and by the browser test."""
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    return build_world()


def messages_of(error: PurchaseError) -> str:
    return " ".join(error.messages)


def field_errors(error: PurchaseError) -> dict:
    return {name: " ".join(str(m) for m in messages) for name, messages in error.message_dict.items()}


# --- create ---------------------------------------------------------------------------------


def test_a_request_copies_the_price_and_the_standard_and_keeps_the_slots(world):
    course_request = request_for(world, note="  周一周三放学后  ")
    course_request.refresh_from_db()
    assert course_request.status == CourseRequest.Status.REQUESTED
    assert course_request.vendor == world.vendor and course_request.school == world.school
    assert course_request.price_per_session == Decimal("30.00")
    assert course_request.standard == world.standard
    assert set(course_request.slots.all()) == {world.slots["mon"], world.slots["wed"]}
    assert (course_request.grade_min, course_request.grade_max, course_request.groups) == (3, 4, 1)
    assert course_request.note == "周一周三放学后"
    assert course_request.requested_by == world.admin.user
    assert course_request.decided_at is None
    # A later price change of the course does not rewrite what was asked for.
    Course.objects.filter(pk=world.course.pk).update(price_per_session=Decimal("39.00"))
    course_request.refresh_from_db()
    assert course_request.price_per_session == Decimal("30.00")


def test_the_same_course_is_within_the_cap_in_one_district_and_above_it_in_another(world):
    assert request_for(world).standard == world.standard  # 海曙: cap ¥40, price ¥30
    with pytest.raises(PurchaseError) as refused:
        request_for(world, school=world.north, slots=[world.north_slot], meetings_per_week=1)
    assert refused.value.code == "price_above_cap"
    message = messages_of(refused.value)
    assert "30.00" in message and "25.00" in message and world.north_standard.approval_document in message
    assert not CourseRequest.objects.filter(school=world.north).exists()


def test_a_price_equal_to_the_cap_is_allowed(world):
    course = f.CourseFactory(vendor=world.vendor, price_per_session=Decimal("40.00"))
    assert request_for(world, course=course).price_per_session == Decimal("40.00")


def test_the_standard_is_the_one_in_force_on_the_terms_start(world):
    # A cheaper cap from next week on does not apply to a term that started before it.
    enrichment_standard(world.haishu, "20.00", effective_from=world.today + datetime.timedelta(days=7))
    assert request_for(world).standard == world.standard
    later = f.TermFactory(
        start=world.today + datetime.timedelta(days=100), end=world.today + datetime.timedelta(days=200)
    )
    with pytest.raises(PurchaseError) as refused:
        request_for(world, term=later)
    assert refused.value.code == "price_above_cap"
    assert "20.00" in messages_of(refused.value)


@pytest.mark.parametrize(
    "setup",
    ["none", "expired", "per_term_only", "supervised_only"],
)
def test_no_standard_in_force_refuses_the_request(world, setup):
    world.standard.delete()
    if setup == "expired":
        enrichment_standard(
            world.haishu,
            "40.00",
            effective_from=world.term.start - datetime.timedelta(days=400),
            effective_to=world.term.start - datetime.timedelta(days=1),
        )
    elif setup == "per_term_only":
        f.ChargingStandardFactory(
            district=world.haishu, service_kind="enrichment", unit="per_term", effective_from=world.term.start
        )
    elif setup == "supervised_only":
        f.ChargingStandardFactory(
            district=world.haishu,
            service_kind="supervised_study",
            unit="per_session",
            effective_from=world.term.start,
        )
    with pytest.raises(PurchaseError) as refused:
        request_for(world)
    assert refused.value.code == "no_price_standard"
    assert "No charging standard" in messages_of(refused.value)
    assert CourseRequest.objects.count() == 0


@pytest.mark.parametrize("status", ["draft", "submitted", "rejected"])
def test_a_course_not_approved_cannot_be_requested(world, status):
    course = f.CourseFactory(vendor=world.vendor, review_status=status)
    with pytest.raises(PurchaseError) as refused:
        request_for(world, course=course)
    assert refused.value.code == "course_not_approved"
    assert "has not been approved" in messages_of(refused.value)
    assert CourseRequest.objects.count() == 0


@pytest.mark.parametrize("status", ["suspended", "revoked", "submitted"])
def test_a_course_of_a_vendor_not_approved_cannot_be_requested(world, status):
    Vendor.objects.filter(pk=world.vendor.pk).update(status=status)
    with pytest.raises(PurchaseError) as refused:
        request_for(world)
    assert refused.value.code == "vendor_not_approved"
    assert "not on the approved vendor list" in messages_of(refused.value)
    assert CourseRequest.objects.count() == 0


def test_a_school_made_course_cannot_be_requested(world):
    course = f.SchoolCourseFactory(school=world.school)
    with pytest.raises(PurchaseError) as refused:
        request_for(world, course=course)
    assert refused.value.code == "course_school_made"
    assert "school-made" in messages_of(refused.value)


def test_a_course_for_grades_the_school_does_not_teach_is_refused(world):
    course = f.CourseFactory(vendor=world.vendor, grade_min=7, grade_max=9)
    with pytest.raises(PurchaseError) as refused:
        request_for(world, course=course, grade_min=7, grade_max=7)
    assert refused.value.code == "grades_not_taught"
    assert "7–9" in messages_of(refused.value) and "1–6" in messages_of(refused.value)


def test_a_second_open_request_for_the_same_course_and_term_is_refused(world):
    first = request_for(world)
    with pytest.raises(PurchaseError) as refused:
        request_for(world, grade_min=5, grade_max=6)
    assert refused.value.code == "request_duplicate"
    assert "already has an open request" in messages_of(refused.value)
    assert CourseRequest.objects.count() == 1
    # Once withdrawn, the school may ask again.
    course_request_withdraw(course_request=first, user=world.admin.user)
    assert request_for(world).status == CourseRequest.Status.REQUESTED
    # Another school may ask for the same course in the same term.
    cheap_for_north = f.CourseFactory(vendor=world.vendor, price_per_session=Decimal("20.00"))
    request_for(world, course=cheap_for_north)
    request_for(world, school=world.north, course=cheap_for_north, slots=[], meetings_per_week=1)


def test_the_database_refuses_two_open_requests_too(world):
    first = request_for(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        CourseRequest.objects.create(
            school=first.school,
            term=first.term,
            course=first.course,
            vendor=first.vendor,
            grade_min=3,
            grade_max=3,
            max_size=20,
            room_kind=world.sports,
            price_per_session=first.price_per_session,
            requested_by=world.admin.user,
        )


def test_an_ended_term_is_refused(world):
    old = f.TermFactory(
        start=world.today - datetime.timedelta(days=200), end=world.today - datetime.timedelta(days=100)
    )
    with pytest.raises(PurchaseError) as refused:
        request_for(world, term=old)
    assert refused.value.code == "term_over"
    assert "term" in field_errors(refused.value)


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"grade_min": 5, "grade_max": 4}, "grade_max", "grades_reversed"),
        ({"grade_min": 1, "grade_max": 7}, "grade_min", "grades_out_of_band"),
        ({"groups": 0}, "groups", "groups_out_of_range"),
        ({"groups": 21}, "groups", "groups_out_of_range"),
        ({"meetings_per_week": 0}, "meetings_per_week", "meetings_out_of_range"),
        ({"meetings_per_week": 6}, "meetings_per_week", "meetings_out_of_range"),
        ({"max_size": 0}, "max_size", "max_size_too_small"),
        ({"min_size": 30, "max_size": 20}, "min_size", "min_size_out_of_range"),
        ({"slots": ["fri"]}, "slots", "slots_not_enrichment"),  # a supervised slot
        ({"slots": ["north"]}, "slots", "slots_not_enrichment"),  # another school's slot
        ({"slots": ["mon"], "meetings_per_week": 2}, "slots", "slots_too_few_days"),  # one day, two meetings
    ],
)
def test_bad_input_is_refused_on_its_field(world, fields, field, code):
    if "slots" in fields:
        fields["slots"] = [world.north_slot if s == "north" else world.slots[s] for s in fields["slots"]]
    with pytest.raises(PurchaseError) as refused:
        request_for(world, **fields)
    assert refused.value.code == code
    assert refused.value.error_dict[field][0].code == code
    assert field in field_errors(refused.value)
    assert CourseRequest.objects.count() == 0


def test_the_grades_must_lie_within_the_course_band(world):
    course = f.CourseFactory(vendor=world.vendor, grade_min=3, grade_max=4)
    with pytest.raises(PurchaseError) as refused:
        request_for(world, course=course, grade_min=2, grade_max=4)
    assert refused.value.code == "grades_out_of_band"
    assert "3–4" in field_errors(refused.value)["grade_min"]


# --- accept ---------------------------------------------------------------------------------


def test_accepting_creates_one_activity_per_group_with_the_requests_terms(world):
    course_request = request_for(world, groups=2, meetings_per_week=1, note="两个班")
    with translation.override("en"):  # the clerk browses in English
        activities = course_request_accept(
            course_request=course_request, user=world.vendor_member.user, instructors=[world.li, world.zhang]
        )
    course_request.refresh_from_db()
    assert course_request.status == CourseRequest.Status.ACCEPTED
    assert course_request.decided_by == world.vendor_member.user and course_request.decided_at is not None
    assert set(course_request.instructors.all()) == {world.li, world.zhang}

    rows = list(Activity.objects.filter(course_request=course_request).order_by("pk"))
    assert rows == activities and len(rows) == 2
    # Named in the site's default language, whoever accepts, with a group label.
    with translation.override(settings.LANGUAGE_CODE):
        pattern = gettext("%(title)s (group %(number)s)")
    assert [a.name for a in rows] == [pattern % {"title": "少儿篮球", "number": n} for n in (1, 2)]
    for activity in rows:
        assert activity.school == world.school and activity.term == world.term
        assert activity.course == world.course and activity.vendor == world.vendor
        assert (activity.grade_min, activity.grade_max) == (3, 4)
        assert activity.meetings_per_week == 1 and activity.room_kind == world.sports
        assert (activity.min_size, activity.max_size) == (8, 25)
        assert set(activity.allowed_slots.all()) == {world.slots["mon"], world.slots["wed"]}
        assert activity.staff_instructor is None
    # As many instructors as groups: each group gets one, in turn.
    assert [a.vendor_instructor for a in rows] == [world.li, world.zhang]


def test_a_single_group_keeps_the_course_title(world):
    (activity,) = course_request_accept(
        course_request=request_for(world), user=world.vendor_member.user, instructors=[world.li]
    )
    assert activity.name == "少儿篮球"
    assert activity.vendor_instructor == world.li


def test_with_fewer_instructors_than_groups_the_solver_picks_the_teacher(world):
    course_request = request_for(world, groups=3)
    activities = course_request_accept(
        course_request=course_request, user=world.vendor_member.user, instructors=[world.li]
    )
    assert len(activities) == 3
    assert all(a.vendor_instructor is None for a in activities)
    assert list(course_request.instructors.all()) == [world.li]


def test_without_chosen_slots_the_instructor_may_fit_any_enrichment_slot(world):
    course_request = request_for(world, slots=[], meetings_per_week=2)
    (activity,) = course_request_accept(
        course_request=course_request, user=world.vendor_member.user, instructors=[world.li]
    )
    assert activity.allowed_slots.count() == 0


def test_an_instructor_whose_availability_does_not_fit_is_refused_by_name(world):
    course_request = request_for(world)  # Monday and Wednesday, twice a week
    with pytest.raises(PurchaseError) as refused:
        course_request_accept(
            course_request=course_request, user=world.vendor_member.user, instructors=[world.li, world.zhang]
        )
    assert refused.value.code == "instructor_unavailable"
    message = field_errors(refused.value)["instructors"]
    assert "张敏" in message and "李强" not in message
    course_request.refresh_from_db()
    assert course_request.status == CourseRequest.Status.REQUESTED
    assert not Activity.objects.exists() and course_request.instructors.count() == 0


def test_a_window_must_contain_the_whole_slot(world):
    # 15:00–17:00 on Monday and Wednesday ends before the 16:40–17:40 slots do.
    short = f.InstructorFactory(vendor=world.vendor, name="短时")
    f.InstructorAvailabilityFactory(
        instructor=short, weekday=0, start=datetime.time(15), end=datetime.time(17)
    )
    f.InstructorAvailabilityFactory(
        instructor=short, weekday=2, start=datetime.time(15), end=datetime.time(17)
    )
    with pytest.raises(PurchaseError) as refused:
        course_request_accept(
            course_request=request_for(world), user=world.vendor_member.user, instructors=[short]
        )
    assert refused.value.code == "instructor_unavailable"
    assert "短时" in field_errors(refused.value)["instructors"]


def test_an_instructor_without_any_availability_is_refused(world):
    with pytest.raises(PurchaseError) as refused:
        course_request_accept(
            course_request=request_for(world, meetings_per_week=1),
            user=world.vendor_member.user,
            instructors=[world.idle],
        )
    assert refused.value.code == "instructor_unavailable"
    message = field_errors(refused.value)["instructors"]
    assert "王芳" in message and "no availability" in message


def test_at_least_one_instructor_must_be_named(world):
    with pytest.raises(PurchaseError) as refused:
        course_request_accept(
            course_request=request_for(world), user=world.vendor_member.user, instructors=[]
        )
    assert refused.value.code == "no_instructors"
    assert "instructors" in field_errors(refused.value)


def test_another_vendors_instructor_cannot_be_named(world):
    with pytest.raises(PurchaseError) as refused:
        course_request_accept(
            course_request=request_for(world, meetings_per_week=1),
            user=world.vendor_member.user,
            instructors=[world.stranger],
        )
    assert refused.value.code == "instructor_not_allowed"
    assert "赵六" in field_errors(refused.value)["instructors"]
    assert not Activity.objects.exists()


def test_when_the_course_names_instructors_only_they_can_be_named(world):
    world.course.instructors.add(world.zhang)
    course_request = request_for(world, slots=[world.slots["wed"]], meetings_per_week=1)
    with pytest.raises(PurchaseError) as refused:
        course_request_accept(
            course_request=course_request, user=world.vendor_member.user, instructors=[world.li]
        )
    assert refused.value.code == "instructor_not_allowed"
    assert "李强" in field_errors(refused.value)["instructors"]
    (activity,) = course_request_accept(
        course_request=course_request, user=world.vendor_member.user, instructors=[world.zhang]
    )
    assert activity.vendor_instructor == world.zhang


@pytest.mark.parametrize("status", ["suspended", "revoked"])
def test_a_suspended_or_revoked_vendor_cannot_accept(world, status):
    course_request = request_for(world)
    Vendor.objects.filter(pk=world.vendor.pk).update(status=status)
    with pytest.raises(PurchaseError) as refused:
        course_request_accept(
            course_request=course_request, user=world.vendor_member.user, instructors=[world.li]
        )
    assert refused.value.code == "vendor_not_approved"
    assert "cannot accept" in messages_of(refused.value)
    course_request.refresh_from_db()
    assert course_request.status == CourseRequest.Status.REQUESTED and not Activity.objects.exists()
    # It may still decline.
    course_request_decline(course_request=course_request, user=world.vendor_member.user, reason="暂停整改中")


def test_a_course_that_lost_its_approval_cannot_be_accepted(world):
    course_request = request_for(world)
    Course.objects.filter(pk=world.course.pk).update(review_status="rejected")
    with pytest.raises(PurchaseError) as caught:
        course_request_accept(
            course_request=course_request, user=world.vendor_member.user, instructors=[world.li]
        )
    assert caught.value.code == "course_not_approved"
    assert not Activity.objects.exists()


def test_a_price_above_the_cap_now_in_force_cannot_be_accepted(world):
    course_request = request_for(world)
    # The bureau replaces the standard, back-dated to the term's start, with a lower cap.
    ChargingStandard.objects.filter(pk=world.standard.pk).update(
        effective_to=world.term.start - datetime.timedelta(days=1)
    )
    enrichment_standard(world.haishu, "28.00", effective_from=world.term.start)
    with pytest.raises(PurchaseError) as refused:
        course_request_accept(
            course_request=course_request, user=world.vendor_member.user, instructors=[world.li]
        )
    assert refused.value.code == "price_above_cap"
    assert "28.00" in messages_of(refused.value)
    assert not Activity.objects.exists()


# --- wrong state ----------------------------------------------------------------------------


def accepted(world):
    course_request = request_for(world)
    course_request_accept(
        course_request=course_request, user=world.vendor_member.user, instructors=[world.li]
    )
    return course_request


def declined(world):
    return course_request_decline(
        course_request=request_for(world), user=world.vendor_member.user, reason="满了"
    )


def withdrawn(world):
    return course_request_withdraw(course_request=request_for(world), user=world.admin.user)


@pytest.mark.parametrize("state", [accepted, declined, withdrawn])
@pytest.mark.parametrize("step", ["accept", "decline", "withdraw"])
def test_only_an_open_request_can_be_answered_or_withdrawn(world, state, step):
    course_request = state(world)
    before = CourseRequest.objects.get(pk=course_request.pk)
    activities = Activity.objects.count()
    with pytest.raises(PurchaseError) as refused:
        if step == "accept":
            course_request_accept(
                course_request=course_request, user=world.vendor_member.user, instructors=[world.li]
            )
        elif step == "decline":
            course_request_decline(
                course_request=course_request, user=world.vendor_member.user, reason="不行"
            )
        else:
            course_request_withdraw(course_request=course_request, user=world.admin.user)
    assert refused.value.code == "request_not_open"
    assert "no longer awaiting" in messages_of(refused.value)
    after = CourseRequest.objects.get(pk=course_request.pk)
    assert (after.status, after.response_note, after.decided_at) == (
        before.status,
        before.response_note,
        before.decided_at,
    )
    assert Activity.objects.count() == activities


def test_a_stale_copy_of_a_request_cannot_be_accepted_twice(world):
    course_request = request_for(world)
    stale = CourseRequest.objects.get(pk=course_request.pk)
    course_request_accept(
        course_request=course_request, user=world.vendor_member.user, instructors=[world.li]
    )
    with pytest.raises(PurchaseError) as caught:
        course_request_accept(course_request=stale, user=world.vendor_member.user, instructors=[world.li])
    assert caught.value.code == "request_not_open"
    assert Activity.objects.count() == 1


# --- decline and withdraw -------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_declining_needs_a_reason(world, reason):
    course_request = request_for(world)
    with pytest.raises(PurchaseError) as refused:
        course_request_decline(course_request=course_request, user=world.vendor_member.user, reason=reason)
    assert refused.value.code == "reason_required"
    assert "reason" in field_errors(refused.value)
    course_request.refresh_from_db()
    assert course_request.status == CourseRequest.Status.REQUESTED


def test_declining_records_the_reason_and_who(world):
    course_request = course_request_decline(
        course_request=request_for(world), user=world.vendor_member.user, reason=" 本学期教练已排满 "
    )
    course_request.refresh_from_db()
    assert course_request.status == CourseRequest.Status.DECLINED
    assert course_request.response_note == "本学期教练已排满"
    assert course_request.decided_by == world.vendor_member.user and course_request.decided_at is not None
    assert not Activity.objects.exists()


def test_withdrawing_closes_the_request(world):
    course_request = course_request_withdraw(course_request=request_for(world), user=world.admin.user)
    course_request.refresh_from_db()
    assert course_request.status == CourseRequest.Status.WITHDRAWN
    assert course_request.decided_by == world.admin.user and course_request.decided_at is not None


def test_an_instructor_the_bureau_has_not_checked_cannot_be_named(world):
    from marketplace.vendors.models import Instructor

    Instructor.objects.filter(pk=world.zhang.pk).update(vetted=False)
    world.zhang.refresh_from_db()
    course_request = request_for(world, meetings_per_week=1)
    with pytest.raises(PurchaseError) as refused:
        course_request_accept(
            course_request=course_request, user=world.vendor_member.user, instructors=[world.zhang]
        )
    assert refused.value.code == "instructor_not_allowed"
    assert world.zhang.name in field_errors(refused.value)["instructors"]
    assert not Activity.objects.exists()
