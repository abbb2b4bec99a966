from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from core.downloads import set_download_name
from marketplace.fees.selectors import standards_in_force
from marketplace.vendors.selectors import vendor_status_counts
from people.roles.access import bureau_membership_or_404
from schools import selectors
from schools.access import school_for_user_or_404
from schools.models import District


def _bureau_page(request, district):
    term = selectors.term_current()
    schools = list(
        selectors.school_list_with_counts(district_id=district.pk if district else None, term=term)
    )
    context = {
        "district": district,
        "term": term,
        "schools": schools,
        "totals": {
            "schools": len(schools),
            "classes": sum(s.class_count for s in schools),
            "pupils": sum(s.pupil_count for s in schools),
            "staff": sum(s.staff_count for s in schools),
            "activities": sum(s.activity_count for s in schools),
        },
        "vendor_counts": vendor_status_counts(district_id=district.pk if district else None),
        "standards": standards_in_force(district_id=district.pk if district else None, on=selectors.today()),
    }
    return render(request, "schools/bureau_home.html", context)


@login_required
def bureau_city(request):
    bureau_membership_or_404(request.user, None)
    return _bureau_page(request, None)


@login_required
def bureau_district(request, district_id: int):
    bureau_membership_or_404(request.user, district_id)
    return _bureau_page(request, get_object_or_404(District, pk=district_id))


@login_required
def school_home(request, school_id: int):
    from marketplace.courses.selectors import activities_of_school
    from scheduling.rooms.selectors import rooms_of_school
    from scheduling.slots.selectors import slot_grid
    from scheduling.staff.selectors import staff_of_school

    school = school_for_user_or_404(request.user, school_id)
    term = selectors.term_current()
    context = {
        "school": school,
        "term": term,
        "classes": school.classes.select_related("home_room").all(),
        "grid": slot_grid(school=school),
        "rooms": rooms_of_school(school=school),
        "staff": staff_of_school(school=school),
        "activities": activities_of_school(school=school, term=term),
    }
    return render(request, "schools/school_home.html", context)


@login_required
def class_calendar(request, school_id: int, class_id: int):
    """A class's dated sessions as an iCalendar file (for the school's administrators)."""
    from django.http import HttpResponse

    from scheduling.timetables.ics import calendar_for_class

    school = school_for_user_or_404(request.user, school_id)
    school_class = get_object_or_404(school.classes, pk=class_id)
    response = HttpResponse(calendar_for_class(school_class), content_type="text/calendar; charset=utf-8")
    return set_download_name(response, f"class-{school_class.code}", "ics")
