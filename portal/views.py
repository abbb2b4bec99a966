"""The pages that gather several apps: each role's home page (the bureau's, a school's, a
household's, a teacher's with their week), the calendar files of a class, a household and a
teacher, and the officer's confirmation of a vendor's revocation (which names what it reaches
in courses, requests and places)."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.downloads import set_download_name
from core.forms import add_service_error
from core.params import query_date
from marketplace.courses.selectors import activities_of_school, activities_open_to
from marketplace.fees.selectors import standards_in_force
from marketplace.households import selectors as household_selectors
from marketplace.households import services as household_services
from marketplace.households.access import household_for_user_or_404
from marketplace.households.forms import ChildLinkForm
from marketplace.vendors import services as vendor_services
from marketplace.vendors.access import vendor_for_officer_or_404
from marketplace.vendors.forms import RevokeForm
from marketplace.vendors.models import VendorDecision
from marketplace.vendors.selectors import vendor_status_counts
from people.roles.access import bureau_membership_or_404, roles_of
from people.roles.models import Role
from portal import selectors
from portal.calendars import calendar_for_household
from scheduling.rooms.selectors import rooms_of_school
from scheduling.slots.selectors import slot_grid
from scheduling.staff import selectors as staff_selectors
from scheduling.staff import services as staff_services
from scheduling.staff.access import staff_for_user_or_404
from scheduling.timetables.ics import calendar_for_class, calendar_for_staff
from scheduling.timetables.selectors import sessions_for_staff, week_of
from schools.access import school_for_user_or_404
from schools.models import District
from schools.selectors import term_current, today

ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"


# --- the education bureau ------------------------------------------------------------------


def _bureau_page(request, district):
    term = term_current()
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
        "standards": standards_in_force(district_id=district.pk if district else None, on=today()),
    }
    return render(request, "portal/bureau_home.html", context)


@login_required
def bureau_city(request):
    bureau_membership_or_404(request.user, None)
    return _bureau_page(request, None)


@login_required
def bureau_district(request, district_id: int):
    bureau_membership_or_404(request.user, district_id)
    return _bureau_page(request, get_object_or_404(District, pk=district_id))


# --- a school's administrators ---------------------------------------------------------------


@login_required
def school_home(request, school_id: int):
    school = school_for_user_or_404(request.user, school_id)
    term = term_current()
    context = {
        "school": school,
        "term": term,
        "classes": school.classes.select_related("home_room").all(),
        "grid": slot_grid(school=school),
        "rooms": rooms_of_school(school=school),
        "staff": staff_selectors.staff_of_school(school=school),
        "activities": activities_of_school(school=school, term=term),
    }
    return render(request, "portal/school_home.html", context)


@login_required
def class_calendar(request, school_id: int, class_id: int):
    """A class's dated sessions as an iCalendar file (for the school's administrators)."""
    school = school_for_user_or_404(request.user, school_id)
    school_class = get_object_or_404(school.classes, pk=class_id)
    response = HttpResponse(calendar_for_class(school_class), content_type=ICS_CONTENT_TYPE)
    return set_download_name(response, f"class-{school_class.code}", "ics")


# --- parents ---------------------------------------------------------------------------------


def _household_page(request, household, link_form, status=200):
    term = term_current()
    monday, sunday = week_of(today())
    context = {
        "household": household,
        "term": term,
        "week": {"monday": monday, "sunday": sunday},
        "link_form": link_form,
        "children": [
            {
                "child": child,
                "activities": activities_open_to(school_class=child.school_class, term=term),
                "week": selectors.sessions_for_child(child=child, start=monday, end=sunday),
            }
            for child in household_selectors.children_of_household(household=household)
        ],
    }
    return render(request, "portal/household_home.html", context, status=status)


@login_required
@require_GET
def household_home(request, household_id: int):
    household = household_for_user_or_404(request.user, household_id)
    return _household_page(request, household, ChildLinkForm())


@login_required
@require_GET
def household_calendar(request, household_id: int):
    """The household's calendar feed: every child's supervised study and activity places."""
    household = household_for_user_or_404(request.user, household_id)
    response = HttpResponse(calendar_for_household(household), content_type=ICS_CONTENT_TYPE)
    return set_download_name(response, f"household-{household.pk}", "ics")


@login_required
@require_POST
def child_link(request, household_id: int):
    """The parent adds a child with the school's link code and the child's name (a refusal
    shows the household's page again, with the form's errors)."""
    household = household_for_user_or_404(request.user, household_id)
    form = ChildLinkForm(request.POST)
    if form.is_valid():
        try:
            child = household_services.child_link(
                household=household,
                user=request.user,
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
            )
        except household_services.HouseholdError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("%(name)s is now linked to your household.") % {"name": child.name})
            return redirect("portal:household_home", household.pk)
    return _household_page(request, household, form, status=400)


# --- teachers --------------------------------------------------------------------------------


def _week_start(request) -> date:
    """The Monday of the week asked for in ``?week=YYYY-MM-DD``: this week by default, and
    for a value that is no date or lies outside ``core.params``' range (near ``date.max``
    the page's previous/next weeks could not be computed)."""
    return week_of(query_date(request.GET, "week", default=today()))[0]


@login_required
def teacher_home(request, staff_id: int):
    staff = staff_for_user_or_404(request.user, staff_id)
    term = term_current()
    monday = _week_start(request)
    sunday = monday + timedelta(days=6)
    sessions = sessions_for_staff(staff=staff, start=monday, end=sunday).select_related(
        "school_class", "activity", "room"
    )
    context = {
        "staff": staff,
        "school": staff.school,
        "term": term,
        "subjects": staff.subjects.all(),
        "unavailable": staff.unavailable.order_by("weekday", "start"),
        "fixed_activities": staff.fixed_activities.filter(term=term).select_related("room_kind")
        if term
        else [],
        "grid": slot_grid(school=staff.school),
        "week": {
            "monday": monday,
            "sunday": sunday,
            "previous": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
        },
        "sessions": sessions,
        "own_page": any(m.staff_id == staff.pk for m in roles_of(request.user, Role.TEACHER)),
    }
    if context["own_page"]:
        # The private feed address is shown to the teacher only, never to an administrator.
        context["feed_url"] = _feed_url(request, staff_services.calendar_feed_for(staff=staff))
    return render(request, "portal/teacher_home.html", context)


@login_required
def teacher_calendar(request, staff_id: int):
    """The teacher's dated sessions as an iCalendar file."""
    staff = staff_for_user_or_404(request.user, staff_id)
    response = HttpResponse(calendar_for_staff(staff), content_type=ICS_CONTENT_TYPE)
    set_download_name(response, f"timetable-{staff.staff_no}", "ics")
    return response


def _feed_url(request, feed) -> str:
    return request.build_absolute_uri(reverse("portal:feed", args=[feed.token]))


@require_GET
def feed(request, token: str):
    """A teacher's private calendar feed: no login, the secret token is the key.

    Any token that is not a live feed's (unknown, reset, of a staff member no longer active)
    is a plain 404 that says nothing more.
    """
    staff = staff_selectors.staff_for_feed_token(token)
    if staff is None:
        raise Http404("No such feed")
    response = HttpResponse(calendar_for_staff(staff), content_type=ICS_CONTENT_TYPE)
    set_download_name(response, f"timetable-{staff.staff_no}", "ics", as_attachment=False)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- the bureau revokes a vendor -------------------------------------------------------------


@login_required
def officer_revoke(request, vendor_id: int):
    """Revoking, confirmed: the page names its consequences (courses leaving the catalogue,
    schools' requests waiting for an answer, activities and pupils placed in them) and asks
    for the reason and an explicit confirmation."""
    vendor = vendor_for_officer_or_404(request.user, vendor_id)
    if VendorDecision.Action.REVOKED not in vendor_services.officer_actions(vendor):
        messages.error(
            request,
            _("Only an approved or suspended vendor can be revoked; this one is “%(status)s”.")
            % {"status": vendor.get_status_display()},
        )
        return redirect("vendors:officer_detail", vendor.pk)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            vendor_services.vendor_revoke(
                vendor=vendor, officer=request.user, reason=form.cleaned_data["reason"]
            )
        except vendor_services.VendorError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("%(vendor)s is revoked.") % {"vendor": vendor.display_name})
            return redirect("vendors:officer_detail", vendor.pk)
    context = {
        "vendor": vendor,
        "form": form,
        "consequences": selectors.revocation_consequences(vendor=vendor),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/officer_revoke.html", context, status=status)
