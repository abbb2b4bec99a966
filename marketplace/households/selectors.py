"""Reads of households and of schools' pupil rosters."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

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
    return get_object_or_404(SchoolClass.objects.select_related("school"), pk=class_id, school=school)


def pupils_of_class(*, school_class: SchoolClass) -> QuerySet[Child]:
    """The class's pupils, each with its links (latest first) and who made them."""
    links = ChildLink.objects.select_related("made_by").order_by("-created_at", "-pk")
    return school_class.pupils.order_by("student_no", "name").prefetch_related(
        Prefetch("links", queryset=links)
    )
