from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.downloads import set_download_name
from core.params import query_date
from people.roles.access import roles_of
from people.roles.models import Role
from scheduling.slots.selectors import slot_grid
from scheduling.staff import selectors, services
from scheduling.staff.access import staff_for_user_or_404
from scheduling.staff.forms import AvailabilityForm, DecisionForm
from scheduling.timetables.ics import calendar_for_staff
from scheduling.timetables.publishing import sessions_for_staff, week_of
from schools.access import school_for_user_or_404
from schools.selectors import term_current, today


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
        context["feed_url"] = _feed_url(request, services.calendar_feed_for(staff=staff))
    return render(request, "staff/teacher_home.html", context)


@login_required
def teacher_calendar(request, staff_id: int):
    """The teacher's dated sessions as an iCalendar file."""
    staff = staff_for_user_or_404(request.user, staff_id)
    response = HttpResponse(calendar_for_staff(staff), content_type="text/calendar; charset=utf-8")
    set_download_name(response, f"timetable-{staff.staff_no}", "ics")
    return response


def _feed_url(request, feed) -> str:
    return request.build_absolute_uri(reverse("staff:feed", args=[feed.token]))


@require_GET
def feed(request, token: str):
    """A teacher's private calendar feed: no login, the secret token is the key.

    Any token that is not a live feed's (unknown, reset, of a staff member no longer active)
    is a plain 404 that says nothing more.
    """
    staff = selectors.staff_for_feed_token(token)
    if staff is None:
        raise Http404("No such feed")
    response = HttpResponse(calendar_for_staff(staff), content_type="text/calendar; charset=utf-8")
    set_download_name(response, f"timetable-{staff.staff_no}", "ics", as_attachment=False)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@require_POST
def feed_reset(request, staff_id: int):
    """The teacher replaces their feed's token; the old address stops working, so a POST
    without ``confirm`` only asks to confirm."""
    staff = selectors.own_staff_or_404(request.user, staff_id)
    if not request.POST.get("confirm"):
        return render(request, "staff/feed_reset_confirm.html", {"staff": staff})
    services.calendar_feed_reset(staff=staff)
    messages.success(
        request, _("Your calendar address is new. Subscribe again with it; the old one no longer works.")
    )
    return redirect(reverse("staff:teacher_home", args=[staff.pk]) + "#calendar-feed")


@login_required
def availability(request, staff_id: int):
    """The teacher proposes standing rest days and unavailable slots, and follows the decision."""
    staff = selectors.own_staff_or_404(request.user, staff_id)
    pending = selectors.pending_availability_request(staff=staff)
    status = 200
    form = AvailabilityForm(staff=staff)
    if request.method == "POST":
        if request.POST.get("action") == "withdraw":
            if pending is None:
                raise Http404("No pending proposal")
            try:
                services.availability_withdraw(request=pending, user=request.user)
            except services.AvailabilityError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Your proposal is withdrawn."))
            return redirect("staff:availability", staff.pk)
        form = AvailabilityForm(request.POST, staff=staff)
        if form.is_valid():
            try:
                services.availability_request(
                    staff=staff,
                    user=request.user,
                    rest_days=form.cleaned_data["rest_days"],
                    unavailable_slot_ids=[slot.pk for slot in form.cleaned_data["unavailable"]],
                    note=form.cleaned_data["note"],
                )
            except services.AvailabilityError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your proposal is sent to the administrator."))
                return redirect("staff:availability", staff.pk)
        status = 400
    context = {
        "staff": staff,
        "school": staff.school,
        "unavailable": staff.unavailable.order_by("weekday", "start"),
        "pending": pending,
        "history": selectors.availability_requests_of(staff=staff)[:20],
        "form": form,
    }
    return render(request, "staff/availability.html", context, status=status)


@login_required
def availability_requests(request, school_id: int):
    """The school's administrator sees pending proposals and recent decisions."""
    school = school_for_user_or_404(request.user, school_id)
    context = {
        "school": school,
        "pending": selectors.availability_requests_for_school(school=school, pending=True),
        "decided": selectors.availability_requests_for_school(school=school, pending=False)[:30],
        "form": DecisionForm(),
    }
    return render(request, "staff/availability_requests.html", context)


@login_required
@require_POST
def availability_decide(request, school_id: int, request_id: int):
    school = school_for_user_or_404(request.user, school_id)
    proposal = selectors.availability_request_of_school_or_404(school=school, request_id=request_id)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    approve = request.POST.get("decision") == "approve"
    try:
        services.availability_decide(request=proposal, user=request.user, approve=approve, note=note)
    except services.AvailabilityError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if approve:
            messages.success(request, _("Approved: the next timetable solve uses the new availability."))
        else:
            messages.success(request, _("The proposal is refused."))
    return redirect("staff:availability_requests", school.pk)
