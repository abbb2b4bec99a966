"""The public course catalogue: no sign-in needed; schools and parents browse it."""

from dataclasses import dataclass

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from core.weekdays import WEEKDAY_SHORT
from marketplace.catalogue.filters import CourseFilter
from marketplace.catalogue.selectors import (
    BuyerSchool,
    buyer_schools,
    catalogue_course_or_404,
    catalogue_courses,
    catalogue_page,
)


@dataclass(frozen=True)
class Offer:
    """What a school administrator sees on a course for one of their schools."""

    buyer: BuyerSchool
    within_cap: bool | None  # None: no enrichment cap per session in force in the district

    @property
    def school(self):
        return self.buyer.school

    @property
    def standard(self):
        return self.buyer.standard

    @property
    def can_request(self) -> bool:
        # A price above the district's cap cannot be accepted for the school.
        return self.within_cap is not False


@require_safe
def course_list(request):
    filterset = CourseFilter(request.GET or None, queryset=catalogue_courses(), request=request)
    page = catalogue_page(filterset.qs, number=request.GET.get("page"), per_page=filterset.page_size)
    buyers = buyer_schools(request.user, on=timezone.localdate())
    for course in page.object_list:
        course.weekday_labels = [str(WEEKDAY_SHORT[day]) for day in course.weekdays]
        course.offers = [
            Offer(buyer=buyer, within_cap=buyer.price_within_cap(course.price_per_session))
            for buyer in buyers
        ]

    return render(
        request,
        "catalogue/course_list.html",
        {
            "filterset": filterset,
            "form": filterset.form,
            "page": page,
            "courses": page.object_list,
            "buyers": buyers,
            "active_filters": filterset.active_count,
        },
    )


@require_safe
def course_detail(request, course_id: int):
    """A course's public page: objectives, session plans and instructors' qualifications,
    for an approved course of an approved vendor only (anything else: 404)."""
    course = catalogue_course_or_404(course_id=course_id)
    instructors = list(course.instructors.all())
    weekdays = sorted({window.weekday for person in instructors for window in person.availability.all()})
    buyers = buyer_schools(request.user, on=timezone.localdate())
    offers = [
        Offer(buyer=buyer, within_cap=buyer.price_within_cap(course.price_per_session)) for buyer in buyers
    ]
    context = {
        "course": course,
        "plans": list(course.session_plans.all()),
        "instructors": [
            {
                "instructor": person,
                "qualifications": [line for line in person.qualifications.splitlines() if line.strip()],
            }
            for person in instructors
        ],
        "weekday_labels": [str(WEEKDAY_SHORT[day]) for day in weekdays],
        "offers": offers,
    }
    return render(request, "catalogue/course_detail.html", context)
