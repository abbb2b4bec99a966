"""Vendors' courses: create, edit, documents and submission (``marketplace.courses.services``)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from marketplace.courses.models import Course, CourseDocument, SessionPlan
from marketplace.courses.services import (
    CourseError,
    course_create,
    course_document_add,
    course_document_remove,
    course_submit,
    course_update,
)
from marketplace.reviews.models import CourseReview
from marketplace.reviews.services import committee_for
from marketplace.vendors.models import Vendor
from tests import factories as f
from tests.reviews.factories import PNG, course_fields, pdf, plans, ready_course, reviewers, vendor_member

pytestmark = pytest.mark.django_db


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- create ----------------------------------------------------------------------------------


def test_an_approved_vendor_creates_a_draft_with_plans_and_instructors(sent):
    vendor, user = vendor_member()
    instructor = f.InstructorFactory(vendor=vendor)
    course = course_create(
        vendor=vendor, user=user, instructors=[instructor], plans=plans(3), **course_fields(vendor)
    )
    course.refresh_from_db()
    assert course.vendor == vendor
    assert course.review_status == Course.ReviewStatus.DRAFT
    assert course.price_per_session == Decimal("40.00")
    assert list(course.instructors.all()) == [instructor]
    assert list(course.session_plans.values_list("number", "title")) == [
        (1, "第1课"),
        (2, "第2课"),
        (3, "第3课"),
    ]
    assert sent == [(course.pk, "draft")]


@pytest.mark.parametrize("status", [s for s in Vendor.Status.values if s != "approved"])
def test_only_an_approved_vendor_may_create_a_course(status):
    vendor, user = vendor_member(status=status)
    with pytest.raises(CourseError) as caught:
        course_create(vendor=vendor, user=user, **course_fields(vendor))
    assert caught.value.code == "vendor_not_approved"
    assert not Course.objects.exists()


def test_an_academic_category_is_refused_by_the_service():
    vendor, user = vendor_member()
    academic = f.CategoryFactory(is_academic=True)
    with pytest.raises(CourseError) as excinfo:
        course_create(vendor=vendor, user=user, **course_fields(vendor, category=academic))
    assert excinfo.value.code == "category_academic"
    assert "category" in errors_of(excinfo)
    assert not Course.objects.exists()


def test_another_vendors_instructor_is_refused():
    vendor, user = vendor_member()
    stranger = f.InstructorFactory()
    with pytest.raises(CourseError) as excinfo:
        course_create(vendor=vendor, user=user, instructors=[stranger], **course_fields(vendor))
    assert excinfo.value.code == "not_own_instructor"
    assert "instructors" in errors_of(excinfo)
    assert not Course.objects.exists()


@pytest.mark.parametrize(
    "overrides, field, code",
    [
        ({"grade_min": 5, "grade_max": 3}, "grade_max", "grades_reversed"),
        ({"grade_min": 0}, "grade_min", "grade_out_of_range"),
        ({"grade_max": 10}, "grade_max", "grade_out_of_range"),
        ({"sessions": 0}, "sessions", "sessions_too_few"),
        ({"sessions": 61}, "sessions", "sessions_too_many"),
        ({"price_per_session": Decimal("-1")}, "price_per_session", "amount_negative"),
        ({"materials_fee": Decimal("-0.01")}, "materials_fee", "amount_negative"),
        ({"title": "  "}, "title", "blank"),  # the model's own check, with Django's code
    ],
)
def test_bad_input_is_refused_on_its_field(overrides, field, code):
    vendor, user = vendor_member()
    with pytest.raises(CourseError) as excinfo:
        course_create(vendor=vendor, user=user, **course_fields(vendor, **overrides))
    assert excinfo.value.code == code
    assert field in errors_of(excinfo)
    assert not Course.objects.exists()


# --- edit ------------------------------------------------------------------------------------


def test_a_draft_is_edited_and_its_plans_replaced(sent):
    vendor, user = vendor_member()
    course = ready_course(vendor, user, sessions=3)
    course_update(
        course=course,
        user=user,
        sessions=2,
        price_per_session=Decimal("35.50"),
        plans=[{"number": 1, "title": "新第一课", "content": ""}, {"number": 2, "title": "", "content": "x"}],
    )
    course.refresh_from_db()
    assert course.sessions == 2
    assert course.price_per_session == Decimal("35.50")
    # Session 2's row had no topic: no plan; session 3 is past the end.
    assert list(course.session_plans.values_list("number", "title")) == [(1, "新第一课")]
    assert sent[-1] == (course.pk, "draft")


def test_shortening_a_course_drops_the_plans_past_its_end():
    vendor, user = vendor_member()
    course = ready_course(vendor, user, sessions=3)
    course_update(course=course, user=user, sessions=2)
    assert list(course.session_plans.values_list("number", flat=True)) == [1, 2]


@pytest.mark.parametrize("status", ["submitted", "approved"])
def test_a_course_under_review_or_approved_cannot_be_edited(status):
    vendor, user = vendor_member()
    course = f.CourseFactory(vendor=vendor, review_status=status, title="原标题")
    with pytest.raises(CourseError) as caught:
        course_update(course=course, user=user, title="新标题")
    assert caught.value.code == "not_editable"
    course.refresh_from_db()
    assert course.title == "原标题"


def test_a_rejected_course_can_be_edited_and_stays_rejected_until_resubmitted():
    vendor, user = vendor_member()
    course = f.CourseFactory(vendor=vendor, review_status="rejected")
    course_update(course=course, user=user, title="改进后的课程")
    course.refresh_from_db()
    assert course.title == "改进后的课程"
    assert course.review_status == "rejected"


# --- documents -------------------------------------------------------------------------------


def test_a_document_is_filed_with_its_checked_type(sent):
    vendor, user = vendor_member()
    course = ready_course(vendor, user)
    document = course_document_add(course=course, user=user, title="教学大纲", upload=pdf())
    assert document.content_type == "application/pdf"
    assert document.size > 0
    assert document.file.read().startswith(b"%PDF-")
    assert sent[-1] == (course.pk, "draft")


@pytest.mark.parametrize(
    "name, content, code",
    [
        ("syllabus.pdf", b"MZ\x90\x00 not a pdf at all", "document_content"),  # a program disguised as a PDF
        ("syllabus.exe", b"%PDF-1.4 ...", "document_type"),
        ("photo.png", b"%PDF-1.4 ...", "document_content"),  # the name and the bytes disagree
        ("empty.pdf", b"", "document_empty"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_written(name, content, code):
    vendor, user = vendor_member()
    course = ready_course(vendor, user)
    with pytest.raises(CourseError) as excinfo:
        course_document_add(course=course, user=user, title="大纲", upload=pdf(name, content))
    assert excinfo.value.code == code
    assert "file" in errors_of(excinfo)
    assert not CourseDocument.objects.exists()


def test_a_too_large_file_is_refused(settings):
    settings.DOCUMENT_MAX_BYTES = 20
    vendor, user = vendor_member()
    course = ready_course(vendor, user)
    with pytest.raises(CourseError) as caught:
        course_document_add(course=course, user=user, title="大纲", upload=pdf("big.png", PNG))
    assert caught.value.code == "document_size"
    assert not CourseDocument.objects.exists()


def test_documents_cannot_be_added_or_removed_under_review():
    vendor, user = vendor_member()
    course = ready_course(vendor, user)
    document = course_document_add(course=course, user=user, title="大纲", upload=pdf())
    reviewers(vendor.district, 3)
    course_submit(course=course, user=user)
    with pytest.raises(CourseError) as caught:
        course_document_add(course=course, user=user, title="补充", upload=pdf())
    assert caught.value.code == "not_editable"
    with pytest.raises(CourseError) as caught:
        course_document_remove(document=document, user=user)
    assert caught.value.code == "not_editable"
    assert CourseDocument.objects.count() == 1


def test_a_document_is_removed_from_a_draft():
    vendor, user = vendor_member()
    course = ready_course(vendor, user)
    document = course_document_add(course=course, user=user, title="大纲", upload=pdf())
    course_document_remove(document=document, user=user)
    assert not CourseDocument.objects.exists()


# --- submit ----------------------------------------------------------------------------------


def test_submitting_opens_round_one_with_the_committees_settings_copied(sent):
    vendor, user = vendor_member()
    course = ready_course(vendor, user)
    members = reviewers(vendor.district, 3)
    committee = committee_for(vendor.district)
    committee.chair = members[0]
    committee.save()
    review = course_submit(course=course, user=user)
    course.refresh_from_db()
    assert course.review_status == Course.ReviewStatus.SUBMITTED
    assert course.submitted_at is not None
    assert review.round == 1
    assert review.committee == committee
    assert (review.rule, review.quorum, review.pass_mark) == ("majority", 3, 60)
    assert review.max_total == 100
    assert [item["code"] for item in review.rubric] == [
        "educational-value",
        "safety",
        "teaching-plan",
        "instructors",
        "price",
    ]
    assert review.chair == members[0]
    assert review.outcome == CourseReview.Outcome.PENDING
    assert sent[-1] == (course.pk, "submitted")


def test_submission_is_refused_while_a_session_has_no_plan():
    vendor, user = vendor_member()
    course = ready_course(vendor, user, sessions=3)
    SessionPlan.objects.filter(course=course, number=2).delete()
    with pytest.raises(CourseError) as excinfo:
        course_submit(course=course, user=user)
    assert excinfo.value.code == "incomplete"
    assert "2" in " ".join(excinfo.value.messages)
    course.refresh_from_db()
    assert course.review_status == "draft"
    assert not CourseReview.objects.exists()


def test_submission_is_refused_without_an_instructor():
    vendor, user = vendor_member()
    course = ready_course(vendor, user)
    course.instructors.clear()
    with pytest.raises(CourseError) as caught:
        course_submit(course=course, user=user)
    assert caught.value.code == "incomplete"
    assert not CourseReview.objects.exists()


def test_submission_is_refused_once_the_vendor_is_suspended():
    vendor, user = vendor_member()
    course = ready_course(vendor, user)
    Vendor.objects.filter(pk=vendor.pk).update(status=Vendor.Status.SUSPENDED)
    with pytest.raises(CourseError) as caught:
        course_submit(course=course, user=user)
    assert caught.value.code == "incomplete"
    course.refresh_from_db()
    assert course.review_status == "draft"
    assert not CourseReview.objects.exists()


def test_submission_is_refused_for_an_academic_course():
    vendor, user = vendor_member()
    course = ready_course(vendor, user)
    Course.objects.filter(pk=course.pk).update(category=f.CategoryFactory(is_academic=True))
    with pytest.raises(CourseError) as caught:
        course_submit(course=course, user=user)
    assert caught.value.code == "incomplete"
    assert not CourseReview.objects.exists()


def test_a_course_under_review_cannot_be_submitted_again():
    vendor, user = vendor_member()
    course = ready_course(vendor, user)
    course_submit(course=course, user=user)
    with pytest.raises(CourseError) as caught:
        course_submit(course=course, user=user)
    assert caught.value.code == "not_editable"
    assert CourseReview.objects.filter(course=course).count() == 1


def test_course_error_is_a_validation_error():
    assert issubclass(CourseError, ValidationError)
