"""Builders for the course-review tests (the shared ``tests/factories.py`` is not ours)."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.courses.models import Course
from marketplace.courses.services import course_create, course_submit
from tests import factories as f

PDF = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name="syllabus.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def vendor_member(**vendor_fields):
    """An approved vendor (unless told otherwise) and one of its members."""
    membership = f.VendorMemberFactory(vendor=f.VendorFactory(**vendor_fields))
    return membership.vendor, membership.user


def course_fields(vendor, **overrides) -> dict:
    fields = {
        "title": "少儿篮球",
        "title_en": "Youth basketball",
        "category": f.CategoryFactory(),
        "subject": f.SubjectFactory(),
        "grade_min": 3,
        "grade_max": 6,
        "sessions": 3,
        "price_per_session": Decimal("40.00"),
        "materials_fee": Decimal("20.00"),
        "objectives": "运球、传球",
        "description": "每周一次",
    }
    fields.update(overrides)
    return fields


def plans(n: int) -> list[dict]:
    return [{"number": i, "title": f"第{i}课", "content": f"内容{i}"} for i in range(1, n + 1)]


def ready_course(vendor, user, *, sessions=3, **overrides) -> Course:
    """A draft course that can be submitted: every session planned, one instructor named."""
    instructor = f.InstructorFactory(vendor=vendor)
    return course_create(
        vendor=vendor,
        user=user,
        instructors=[instructor],
        plans=plans(sessions),
        **course_fields(vendor, sessions=sessions, **overrides),
    )


def reviewers(district, n: int) -> list:
    """``n`` users on the district's committee (``district=None``: the city committee)."""
    return [f.CourseReviewerFactory(district=district).user for _ in range(n)]


def submitted(vendor=None, user=None, **overrides):
    """A submitted course and its open review round."""
    if vendor is None:
        vendor, user = vendor_member()
    course = ready_course(vendor, user, **overrides)
    review = course_submit(course=course, user=user)
    return course, review


def full_scores(review, fraction=1.0) -> dict:
    """Scores for every criterion of the round's rubric, ``fraction`` of each maximum."""
    return {item["code"]: int(item["max_score"] * fraction) for item in review.rubric}
