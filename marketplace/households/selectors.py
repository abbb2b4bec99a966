"""Reads of households and of schools' pupil rosters."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from marketplace.households.models import Child, ChildLink, Household
from people.roles.access import roles_of
from people.roles.models import Role
from schools.models import School, SchoolClass


def household_of_user(user) -> Household | None:
    """The user's household (an account has at most one), or ``None``."""
    memberships = roles_of(user, Role.PARENT)
    return memberships[0].household if memberships else None


def children_of_household(*, household: Household) -> QuerySet[Child]:
    return household.children.select_related("school_class", "school_class__school").order_by("name", "pk")


def classes_with_link_counts(*, school: School) -> QuerySet[SchoolClass]:
    """The school's classes with ``pupil_count`` and ``linked_count`` annotations."""
    return school.classes.annotate(
        pupil_count=Count("pupils"),
        linked_count=Count("pupils", filter=Q(pupils__household__isnull=False)),
    ).order_by("grade", "number")


def class_for_school_or_404(*, school: School, class_id: int) -> SchoolClass:
    """A class of ``school`` (already checked against the user); any other class is a 404."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(SchoolClass.objects.select_related("school"), pk=class_id, school=school)


def pupils_of_class(*, school_class: SchoolClass) -> QuerySet[Child]:
    """The class's pupils, each with its links (latest first) and who made them."""
    links = ChildLink.objects.select_related("made_by").order_by("-created_at", "-pk")
    return school_class.pupils.order_by("student_no", "name").prefetch_related(
        Prefetch("links", queryset=links)
    )


def sessions_for_child(*, child: Child, start: date | None, end: date | None):
    """The child's published sessions from ``start`` to ``end`` (inclusive; None leaves that
    end open): the supervised study of their class and the meetings of every activity in which
    they hold a place (status placed), from the place's ``joined_on`` and before its ``left_on``.

    A waiting-list entry or a withdrawn place shows nothing. Ordered by date, start and pk.
    """
    from marketplace.enrolment.models import Enrolment
    from scheduling.timetables.models import DatedSession

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
