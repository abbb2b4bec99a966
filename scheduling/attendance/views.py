"""The phone-sized attendance pages of teachers, vendor members and school administrators."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from people.roles.access import school_ids_for
from scheduling.attendance.models import AttendanceRecord
from scheduling.attendance.selectors import (
    can_delegate,
    current_delegation,
    delegable_staff,
    delegations_of,
    is_taker,
    records_for,
    roster_for,
    school_sessions_of_day,
    session_for_admin_or_404,
    session_for_taker_or_404,
    sessions_to_take,
)
from scheduling.attendance.services import (
    AttendanceError,
    attendance_record,
    register_delegate,
    register_is_open,
    session_starts_at,
)


def now():
    """The clock of these pages (one place, so tests can set it)."""
    return timezone.now()


def _day_asked(request, default: date) -> date:
    try:
        return date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return default


@login_required
def today_list(request):
    """The user's sessions of today and the last days' sessions still without attendance;
    for a school administrator, also every session of their school on the chosen day."""
    if not is_taker(request.user):
        raise Http404("No sessions for this account")
    day = timezone.localdate(now())
    chosen = _day_asked(request, day)
    context = {
        "sessions": sessions_to_take(request.user, today=day),
        "school_sessions": school_sessions_of_day(request.user, day=chosen),
        "is_admin": bool(school_ids_for(request.user)),
        "today": day,
        "chosen": chosen,
    }
    return render(request, "attendance/today.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def take(request, session_id: int):
    """The roster of one session with a present/absent/excused choice per child; nobody is
    marked until the taker marks them."""
    session = session_for_taker_or_404(request.user, session_id)
    roster = roster_for(session)
    records = records_for(session)
    error = None
    chosen = {child.pk: records[child.pk].status if child.pk in records else "" for child in roster}
    delivery = getattr(session, "delivery", None) if session.delivered else None
    note = delivery.note if delivery else ""
    submitted = False

    if request.method == "POST":
        submitted = True
        chosen = {child.pk: request.POST.get(f"status-{child.pk}", "") for child in roster}
        note = request.POST.get("note", "")
        given = {child_id: status for child_id, status in chosen.items() if status}
        try:
            attendance_record(dated_session=session, user=request.user, statuses=given, note=note, now=now())
        except AttendanceError as exc:
            error = exc.message
        else:
            messages.success(request, _("Attendance saved."))
            return redirect("attendance:take", session_id=session.pk)

    rows = [
        {
            "child": child,
            "status": chosen.get(child.pk, ""),
            "missing": submitted and not chosen.get(child.pk),
        }
        for child in roster
    ]
    context = {
        "session": session,
        "rows": rows,
        "statuses": AttendanceRecord.Status.choices,
        "note": note,
        "error": error,
        "delivery": delivery,
        "not_open": not register_is_open(session, now=now()),
        "opens_at": session_starts_at(session),
        "missing_count": sum(1 for row in rows if row["missing"]),
        "present_count": sum(1 for row in rows if row["status"] == AttendanceRecord.Status.PRESENT),
        "can_delegate": can_delegate(request.user, session),
        "delegation": current_delegation(session),
    }
    return render(request, "attendance/take.html", context, status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def delegate(request, session_id: int):
    """A school administrator hands the session's register to a member of staff (or takes
    the delegation back)."""
    session = session_for_admin_or_404(request.user, session_id)
    staff_choices = list(delegable_staff(session))
    error = None
    if request.method == "POST":
        raw = request.POST.get("staff", "")
        staff = None
        if raw:
            staff = next((member for member in staff_choices if str(member.pk) == raw), None)
            if staff is None:
                error = _("Choose a member of staff from the list.")
        if error is None:
            try:
                register_delegate(dated_session=session, staff=staff, user=request.user)
            except AttendanceError as exc:
                error = exc.message
            else:
                if staff is None:
                    messages.success(request, _("The delegation was withdrawn."))
                else:
                    messages.success(
                        request, _("%(name)s may now take this register.") % {"name": staff.name}
                    )
                return redirect("attendance:take", session_id=session.pk)
    context = {
        "session": session,
        "staff_choices": staff_choices,
        "delegation": current_delegation(session),
        "log": delegations_of(session),
        "error": error,
    }
    return render(request, "attendance/delegate.html", context, status=400 if error else 200)
