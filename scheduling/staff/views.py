from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from people.roles.access import staff_for_user_or_404
from scheduling.slots.selectors import slot_grid
from schools.selectors import term_current


@login_required
def teacher_home(request, staff_id: int):
    staff = staff_for_user_or_404(request.user, staff_id)
    term = term_current()
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
    }
    return render(request, "staff/teacher_home.html", context)
