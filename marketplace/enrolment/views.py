"""Enrolment pages: the school's window, and each family's choices and results.

The window page admits only an administrator of the school (``school_for_user_or_404``);
the family pages only a parent of the household (``household_for_user_or_404``), and a child
of another household is a 404. Changes go through ``services``; refusals become form errors.
After the window the household page offers first-come "Join" (``join``) for the activities
open to each child and "Withdraw" for each live enrolment; the household checked, another
household's child (or another school's activity) a 404; refusals become error messages on the
household page. Withdrawing is the ledger's page (``ledger.views.withdraw``): its
confirmation shows the money held for the child that the withdrawal refunds. Once the places
are allocated, the school's window page lists them by activity, and ``move`` lets its
administrator move a child's place into another activity (after a confirmation step; the
enrolment rules apply).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

import schools.selectors as school_reads
from marketplace.courses.models import Activity
from marketplace.courses.selectors import activities_open_to
from marketplace.enrolment import selectors, services
from marketplace.enrolment.forms import PlanForm, WindowForm
from marketplace.enrolment.models import Enrolment
from marketplace.enrolment.rules import cancellation
from marketplace.households.access import household_for_user_or_404
from schools.access import school_for_user_or_404
from schools.selectors import term_current


@login_required
def window(request, school_id: int):
    school = school_for_user_or_404(request.user, school_id)
    term = term_current()
    current = selectors.window_for(school=school, term=term)
    if request.method == "POST":
        form = WindowForm(request.POST)
        if form.is_valid():
            try:
                services.window_save(school=school, term=term, **form.cleaned_data)
            except services.EnrolmentError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The enrolment window is saved."))
                return redirect("enrolment:window", school.pk)
        status = 400
    else:
        initial = {}
        if current is not None:
            initial = {
                "opens_at": current.opens_at,
                "closes_at": current.closes_at,
                "max_choices": current.max_choices,
                "max_activities": current.max_activities,
            }
        form = WindowForm(initial=initial)
        status = 200
    context = {
        "school": school,
        "term": term,
        "window": current,
        "state": selectors.window_state(current),
        "form": form,
        "places": selectors.places_by_activity(school=school, term=term)
        if current is not None and current.allocated_at
        else [],
    }
    return render(request, "enrolment/window.html", context, status=status)


@login_required
def household(request, household_id: int):
    family = household_for_user_or_404(request.user, household_id)
    term = term_current()
    children = []
    for child in family.children.select_related("school_class", "school_class__school"):
        window = selectors.window_for(school=child.school_class.school, term=term)
        late = selectors.late_join_open(window, term, today=school_reads.today())
        children.append(
            {
                "child": child,
                "window": window,
                "state": selectors.window_state(window),
                "plan": selectors.plan_for(child=child, term=term),
                "results": selectors.choice_results(child=child, term=term, today=school_reads.today()),
                "late": late,
                "options": selectors.late_options(child=child, term=term, today=school_reads.today())
                if late
                else [],
                "live": list(selectors.live_enrolments_of(child=child, term=term)),
            }
        )
    return render(
        request, "enrolment/household.html", {"household": family, "term": term, "children": children}
    )


@login_required
def plan(request, household_id: int, child_id: int):
    family = household_for_user_or_404(request.user, household_id)
    child = selectors.child_of_household_or_404(household=family, child_id=child_id)
    term = term_current()
    school_class = child.school_class
    window = selectors.window_for(school=school_class.school, term=term)
    state = selectors.window_state(window)
    current = selectors.plan_for(child=child, term=term)
    activities = list(activities_open_to(school_class=school_class, term=term))
    limits = {
        "max_choices": window.max_choices if window else 0,
        "max_activities": window.max_activities if window else 0,
    }
    status = 200
    if request.method == "POST":
        form = PlanForm(request.POST, school_class=school_class, activities=activities, **limits)
        if form.is_valid():
            try:
                services.plan_save(
                    child=child,
                    term=term,
                    user=request.user,
                    days=form.cleaned_data["days"],
                    wants=form.cleaned_data["wants"],
                    activity_ids_in_rank_order=form.activity_ids(),
                )
            except services.EnrolmentError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The choices for %(child)s are saved.") % {"child": child.name})
                return redirect("enrolment:household", family.pk)
        status = 400
    else:
        initial = {"days": selectors.days_initial(current, child), "wants": current.wants if current else 1}
        for choice in selectors.choices_of(current):
            initial[f"rank_{choice.rank}"] = choice.activity_id
        form = PlanForm(initial=initial, school_class=school_class, activities=activities, **limits)
    context = {
        "household": family,
        "child": child,
        "term": term,
        "window": window,
        "state": state,
        "form": form,
        "results": selectors.choice_results(child=child, term=term, today=school_reads.today()),
    }
    return render(request, "enrolment/plan.html", context, status=status)


@login_required
@require_POST
def join(request, household_id: int, child_id: int):
    """A late joiner: enrol the child first-come in one of the school's activities this term
    (POST ``activity``). An activity of another school or term is a 404."""
    family = household_for_user_or_404(request.user, household_id)
    child = selectors.child_of_household_or_404(household=family, child_id=child_id)
    try:
        activity_id = int(request.POST.get("activity", ""))
    except ValueError:
        raise Http404("No such activity") from None
    activity = (
        Activity.objects.filter(pk=activity_id, school_id=child.school_class.school_id, term=term_current())
        .select_related("term")
        .first()
    )
    if activity is None:
        raise Http404("No such activity at this school this term")
    try:
        enrolment = services.enrolment_late_join(
            child=child, activity=activity, user=request.user, today=school_reads.today()
        )
    except services.EnrolmentError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        values = {"child": child.name, "activity": activity.name}
        if enrolment.status == enrolment.Status.PLACED:
            messages.success(request, _("%(child)s has a place in %(activity)s.") % values)
        else:
            values["position"] = selectors.waiting_position(enrolment)
            messages.success(
                request,
                _("%(activity)s is full; %(child)s is number %(position)s on its waiting list.") % values,
            )
    return redirect("enrolment:household", family.pk)


@login_required
def move(request, school_id: int, enrolment_id: int):
    """The school moves a child's place into another activity of the term.

    GET shows the activities the place could move to; a POST naming one (``activity``)
    without ``confirm`` shows what will happen and asks to confirm; a POST with ``confirm``
    moves (``services.enrolment_move``, every enrolment rule applies). Only an administrator
    of the school; another school's enrolment or activity is a 404."""
    school = school_for_user_or_404(request.user, school_id)
    enrolment = (
        Enrolment.objects.filter(
            pk=enrolment_id,
            activity__school=school,
            activity__term=term_current(),
            status=Enrolment.Status.PLACED,
        )
        .select_related("child", "child__school_class", "activity", "activity__term")
        .first()
    )
    if enrolment is None:
        raise Http404("No such place at this school this term")
    today = school_reads.today()
    # Cancelled activities are never offered (the rules would refuse them anyway).
    targets = [
        a
        for a in activities_open_to(school_class=enrolment.child.school_class, term=enrolment.activity.term)
        if a.pk != enrolment.activity_id and cancellation(a, today) is None
    ]
    target = None
    if request.method == "POST":
        try:
            target_id = int(request.POST.get("activity", ""))
        except ValueError:
            raise Http404("No such activity") from None
        target = Activity.objects.filter(pk=target_id, school=school, term=enrolment.activity.term).first()
        if target is None:
            raise Http404("No such activity at this school this term")
        if request.POST.get("confirm"):
            try:
                services.enrolment_move(enrolment=enrolment, activity=target, user=request.user, today=today)
            except services.EnrolmentError as error:
                for message in error.messages:
                    messages.error(request, message)
                target = None
            else:
                messages.success(
                    request,
                    _("%(child)s has moved from %(from)s to %(to)s.")
                    % {"child": enrolment.child.name, "from": enrolment.activity.name, "to": target.name},
                )
                return redirect("enrolment:window", school.pk)
    context = {
        "school": school,
        "enrolment": enrolment,
        "targets": targets,
        "target": target,
        "waiting": selectors.waiting_count(enrolment.activity),
    }
    return render(request, "enrolment/move.html", context)
