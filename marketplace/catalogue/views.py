"""The public course catalogue: no sign-in needed; schools and parents browse it."""

from dataclasses import dataclass

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from core.weekdays import WEEKDAY_SHORT
from marketplace.catalogue.filters import CourseFilter
from marketplace.catalogue.selectors import BuyerSchool, buyer_schools, catalogue_courses, catalogue_page


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
        # A price above the district's cap cannot be accepted for the school (issue #5).
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
