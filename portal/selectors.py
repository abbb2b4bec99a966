"""Reads that gather several apps' rows for the portal's pages: the bureau's school list,
a child's week, and what revoking a vendor reaches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from marketplace.course_requests.models import CourseRequest
from marketplace.courses.models import Activity, Course
from marketplace.enrolment.models import Enrolment
from marketplace.households.models import Child
from marketplace.vendors.models import Vendor
from scheduling.staff.models import StaffMember
from scheduling.timetables.models import DatedSession
from schools.models import School, SchoolClass, Term

# --- the bureau's home page ----------------------------------------------------------------


def _per_school(queryset, aggregate):
    """A correlated subquery: one aggregate of ``queryset`` per school row, 0 when empty."""
    rows = queryset.filter(school=OuterRef("pk")).order_by().values("school").annotate(value=aggregate)
    return Coalesce(Subquery(rows.values("value")[:1], output_field=IntegerField()), 0)


def school_list_with_counts(*, district_id: int | None = None, term: Term | None = None):
    """Schools with their classes, pupils, staff and this term's activities, in one query.

    Separate subqueries, because joining classes, staff and activities in one GROUP BY
    would multiply the counts.
    """
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


# --- a child's week --------------------------------------------------------------------------


def sessions_for_child(*, child: Child, start: date | None, end: date | None):
    """The child's published sessions from ``start`` to ``end`` (inclusive; None leaves that
    end open): the supervised study of their class and the meetings of every activity in which
    they hold a place (status placed), from the place's ``joined_on`` and before its ``left_on``.

    A waiting-list entry or a withdrawn place shows nothing. Ordered by date, start and pk.
    """
    live_place = Enrolment.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gt=OuterRef("date")),
        child=child,
        activity=OuterRef("activity"),
        status=Enrolment.Status.PLACED,
        joined_on__lte=OuterRef("date"),
    )
    sessions = (
        DatedSession.objects.filter(
            Q(kind=DatedSession.Kind.SUPERVISION, school_class=child.school_class_id)
            | (Q(kind=DatedSession.Kind.MEETING) & Exists(live_place))
        )
        .select_related("school", "slot", "school_class", "activity", "staff", "instructor", "room")
        .order_by("date", "start", "pk")
    )
    if start is not None:
        sessions = sessions.filter(date__gte=start)
    if end is not None:
        sessions = sessions.filter(date__lte=end)
    return sessions


# --- revoking a vendor -----------------------------------------------------------------------


@dataclass(frozen=True)
class RevocationConsequences:
    """What revoking a vendor does, computed for the officer's confirmation page."""

    catalogue_courses: list  # its approved courses, which leave the catalogue
    open_requests: int  # schools' course requests still waiting for its answer
    activities: int  # its activities in terms that have not ended
    pupils: int  # pupils placed in those activities


def revocation_consequences(*, vendor: Vendor) -> RevocationConsequences:
    today = timezone.localdate()
    activities = Activity.objects.filter(vendor=vendor, term__end__gte=today)
    return RevocationConsequences(
        catalogue_courses=list(
            vendor.courses.filter(review_status=Course.ReviewStatus.APPROVED).order_by("title_sort", "pk")
        ),
        open_requests=CourseRequest.objects.filter(
            vendor=vendor, status=CourseRequest.Status.REQUESTED
        ).count(),
        activities=activities.count(),
        pupils=Enrolment.objects.filter(activity__in=activities, status=Enrolment.Status.PLACED)
        .values("child_id")
        .distinct()
        .count(),
    )
