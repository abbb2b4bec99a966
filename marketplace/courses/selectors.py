from dataclasses import dataclass

from django.db.models import Max, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from marketplace.courses.models import Activity, Course
from marketplace.fees.models import ChargingStandard
from marketplace.fees.selectors import standards_in_force


def activities_of_school(*, school, term):
    if term is None:
        return Activity.objects.none()
    return (
        Activity.objects.filter(school=school, term=term)
        .select_related("course", "vendor", "room_kind", "course__subject")
        .order_by("grade_min", "name")
    )


def activities_open_to(*, school_class, term):
    """Activities of the class's school this term that admit the class's grade."""
    if term is None:
        return Activity.objects.none()
    return (
        Activity.objects.filter(
            school_id=school_class.school_id,
            term=term,
            grade_min__lte=school_class.grade,
            grade_max__gte=school_class.grade,
        )
        .select_related("course", "vendor")
        .order_by("name")
    )


def courses_for_review(*, district_ids: set[int | None], exclude_vendor_ids=()):
    """Vendor courses awaiting review, for reviewers of these districts (None: the city),
    leaving out the vendors in ``exclude_vendor_ids`` (those the reviewer is linked to)."""
    courses = Course.objects.filter(vendor__isnull=False, review_status=Course.ReviewStatus.SUBMITTED)
    if exclude_vendor_ids:
        courses = courses.exclude(vendor_id__in=exclude_vendor_ids)
    if None not in district_ids:
        courses = courses.filter(vendor__district_id__in=district_ids)
    return courses.select_related("vendor", "vendor__district", "category", "subject").order_by("created_at")


def courses_reviewed(*, district_ids: set[int | None], exclude_vendor_ids=()):
    courses = Course.objects.filter(
        Q(review_status=Course.ReviewStatus.APPROVED) | Q(review_status=Course.ReviewStatus.REJECTED),
        vendor__isnull=False,
    )
    if exclude_vendor_ids:
        courses = courses.exclude(vendor_id__in=exclude_vendor_ids)
    if None not in district_ids:
        courses = courses.filter(vendor__district_id__in=district_ids)
    return courses.select_related("vendor", "category").order_by("-updated_at")


# --- vendors' courses ----------------------------------------------------------------------


@dataclass(frozen=True)
class MissingItem:
    """One thing a course lacks before it can be submitted (``code`` is stable)."""

    code: str
    message: str


def course_missing_items(*, course: Course) -> list[MissingItem]:
    """What keeps the course from being submitted for review (empty: ready)."""
    items = []
    vendor = course.vendor
    if vendor is not None and not vendor.is_approved:
        items.append(
            MissingItem(
                "vendor",
                _("Only an approved vendor may submit courses; this vendor is “%(status)s”.")
                % {"status": vendor.get_status_display()},
            )
        )
    if course.category.is_academic:
        items.append(
            MissingItem(
                "category",
                _("Academic subject tutoring may not be offered after school: choose another category."),
            )
        )
    planned = set(course.session_plans.values_list("number", flat=True))
    unplanned = [n for n in range(1, course.sessions + 1) if n not in planned]
    if unplanned:
        items.append(
            MissingItem(
                "plans",
                _("Write a plan for every session; sessions without one: %(sessions)s.")
                % {"sessions": ", ".join(str(n) for n in unplanned)},
            )
        )
    if not course.instructors.exists():
        items.append(MissingItem("instructors", _("Name at least one instructor.")))
    return items


def courses_of_vendor(*, vendor):
    """The vendor's courses with what the course list shows (no query per course)."""
    return (
        vendor.courses.select_related("category", "subject")
        .annotate(last_round=Max("reviews__round"))
        .order_by("title", "pk")
    )


def course_of_vendor_or_404(*, vendor, course_id: int) -> Course:
    """One of the vendor's courses; another vendor's (or a school's) course is a 404."""
    return get_object_or_404(
        vendor.courses.select_related("vendor", "vendor__district", "category", "subject"), pk=course_id
    )


def course_facts(*, course: Course) -> dict:
    """Plans, documents and instructors of a course, as its pages show them."""
    return {
        "plans": list(course.session_plans.order_by("number")),
        "documents": list(course.documents.order_by("uploaded_at", "pk")),
        "instructors": list(course.instructors.order_by("name")),
    }


def enrichment_caps_in_force(*, on):
    """The per-session caps on enrichment fees in force, by district (for the vendor's information)."""
    return standards_in_force(on=on).filter(
        service_kind=ChargingStandard.ServiceKind.ENRICHMENT, unit=ChargingStandard.Unit.PER_SESSION
    )


# --- review rounds -------------------------------------------------------------------------
# The rounds are rows of the course review (``marketplace.reviews``, a floor above); the
# course's own pages read them through the reverse relation ``Course.reviews``.


def rounds_of_course(*, course):
    """The course's review rounds, latest first (``scores`` prefetched; names are not for vendors)."""
    return course.reviews.select_related("committee__district").prefetch_related("scores").order_by("-round")


def latest_round(*, course):
    """The course's latest review round, or ``None`` before its first submission."""
    return course.reviews.order_by("-round").first()
