"""The phone-sized attendance pages of teachers and vendor members (and school admins)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from scheduling.attendance.models import AttendanceRecord
from scheduling.attendance.selectors import (
    records_for,
    roster_for,
    session_for_taker_or_404,
    sessions_to_take,
)
from scheduling.attendance.services import AttendanceError, attendance_record
from schools.selectors import today


@login_required
def today_list(request):
    """The user's sessions of today, and the last days' sessions still without attendance."""
    day = today()
    sessions = sessions_to_take(request.user, today=day)
    return render(request, "attendance/today.html", {"sessions": sessions, "today": day})


@login_required
@require_http_methods(["GET", "POST"])
def take(request, session_id: int):
    """The roster of one session with a present/absent/excused choice per child."""
    session = session_for_taker_or_404(request.user, session_id)
    roster = roster_for(session)
    records = records_for(session)
    error = None
    chosen = {child.pk: records[child.pk].status if child.pk in records else "present" for child in roster}
    delivery = getattr(session, "delivery", None) if session.delivered else None
    note = delivery.note if delivery else ""

    if request.method == "POST":
        chosen = {child.pk: request.POST.get(f"status-{child.pk}", "") for child in roster}
        note = request.POST.get("note", "")
        given = {child_id: status for child_id, status in chosen.items() if status}
        try:
            attendance_record(
                dated_session=session, user=request.user, statuses=given, note=note, today=today()
            )
        except AttendanceError as exc:
            error = exc.message
        else:
            messages.success(request, _("Attendance saved."))
            return redirect("attendance:take", session_id=session.pk)

    rows = [{"child": child, "status": chosen.get(child.pk, "")} for child in roster]
    context = {
        "session": session,
        "rows": rows,
        "statuses": AttendanceRecord.Status.choices,
        "note": note,
        "error": error,
        "delivery": delivery,
        "future": session.date > today(),
        "present_count": sum(1 for row in rows if row["status"] == AttendanceRecord.Status.PRESENT),
    }
    return render(request, "attendance/take.html", context, status=400 if error else 200)
