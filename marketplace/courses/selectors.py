from django.db.models import Q

from marketplace.courses.models import Activity, Course


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


def courses_for_review(*, district_ids: set[int | None]):
    """Vendor courses awaiting review, for reviewers of these districts (None: the city)."""
    courses = Course.objects.filter(vendor__isnull=False, review_status=Course.ReviewStatus.SUBMITTED)
    if None not in district_ids:
        courses = courses.filter(vendor__district_id__in=district_ids)
    return courses.select_related("vendor", "vendor__district", "category", "subject").order_by("created_at")


def courses_reviewed(*, district_ids: set[int | None]):
    courses = Course.objects.filter(
        Q(review_status=Course.ReviewStatus.APPROVED) | Q(review_status=Course.ReviewStatus.REJECTED),
        vendor__isnull=False,
    )
    if None not in district_ids:
        courses = courses.filter(vendor__district_id__in=district_ids)
    return courses.select_related("vendor", "category").order_by("-updated_at")
