from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from people.roles.access import staff_for_user_or_404
from scheduling.slots.selectors import slot_grid
from scheduling.timetables.ics import calendar_for_staff
from scheduling.timetables.publishing import sessions_for_staff, week_of
from schools.selectors import term_current, today


def _week_start(request) -> date:
    """The Monday of the week asked for in ``?week=YYYY-MM-DD`` (this week by default)."""
    try:
        day = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = today()
    return week_of(day)[0]


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
    }
    return render(request, "staff/teacher_home.html", context)


@login_required
def teacher_calendar(request, staff_id: int):
    """The teacher's dated sessions as an iCalendar file."""
    staff = staff_for_user_or_404(request.user, staff_id)
    response = HttpResponse(calendar_for_staff(staff), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="timetable-{staff.staff_no}.ics"'
    return response
