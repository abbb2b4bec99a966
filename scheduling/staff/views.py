"""A teacher's availability proposals and calendar feed address, and their school's
administrator deciding the proposals.

The teacher's home page with their week and the calendar files are in ``portal.views``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_error
from scheduling.staff import selectors, services
from scheduling.staff.forms import AvailabilityForm, DecisionForm
from schools.access import school_for_user_or_404


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
    return redirect(reverse("portal:teacher_home", args=[staff.pk]) + "#calendar-feed")


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
                add_service_error(form, error)
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
