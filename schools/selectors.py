"""Reads about districts, schools, terms and classes."""

from datetime import date

from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from schools.models import School, SchoolClass, Term


def today() -> date:
    return timezone.localdate()


def term_current(*, on: date | None = None) -> Term | None:
    """The term in progress on a date; else the next one to start; else the latest."""
    on = on or today()
    term = Term.objects.filter(start__lte=on, end__gte=on).order_by("start").first()
    if term is None:
        term = Term.objects.filter(start__gt=on).order_by("start").first()
    if term is None:
        term = Term.objects.order_by("-end").first()
    return term


def _per_school(queryset, aggregate):
    """A correlated subquery: one aggregate of ``queryset`` per school row, 0 when empty."""
    rows = queryset.filter(school=OuterRef("pk")).order_by().values("school").annotate(value=aggregate)
    return Coalesce(Subquery(rows.values("value")[:1], output_field=IntegerField()), 0)


def school_list_with_counts(*, district_id: int | None = None, term: Term | None = None):
    """Schools with their classes, pupils, staff and this term's activities, in one query.

    Separate subqueries, because joining classes, staff and activities in one GROUP BY
    would multiply the counts.
    """
    from marketplace.courses.models import Activity
    from scheduling.staff.models import StaffMember

    schools = School.objects.select_related("district")
    if district_id is not None:
        schools = schools.filter(district_id=district_id)
    activities = Activity.objects.filter(term=term) if term is not None else Activity.objects.none()
    return schools.annotate(
        class_count=_per_school(SchoolClass.objects.all(), Count("pk")),
        pupil_count=_per_school(SchoolClass.objects.all(), Sum("size")),
        staff_count=_per_school(StaffMember.objects.filter(active=True), Count("pk")),
        activity_count=_per_school(activities, Count("pk")),
    ).order_by("district__code", "code")
