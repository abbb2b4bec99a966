"""Duty and rest pages: a teacher's duties, credits and claims; the school's pending claims
and policy.

``mine`` admits the teacher (and the school's administrators, to look); only the teacher
claims. ``cancel`` admits the claimant and the school's administrators, ``school``/``decide``
the school's administrators. Another school's teacher, claim or school is a 404. Changes go
through ``services``; refusals become error messages.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_error
from people.roles.access import roles_of
from people.roles.models import Role
from scheduling.rest import selectors, services
from scheduling.rest.forms import ClaimForm, DecisionForm, PolicyForm
from scheduling.rest.models import RestClaim
from scheduling.staff.access import staff_for_user_or_404
from schools.access import school_for_user_or_404
from schools.selectors import today


def _is_own(user, staff) -> bool:
    return any(m.staff_id == staff.pk for m in roles_of(user, Role.TEACHER))


@login_required
def mine(request, staff_id: int):
    staff = staff_for_user_or_404(request.user, staff_id)
    own = _is_own(request.user, staff)
    form = ClaimForm()
    status = 200
    if request.method == "POST":
        if not own:
            raise Http404("Only the teacher claims their rest")
        form = ClaimForm(request.POST)
        if form.is_valid():
            try:
                claim = services.rest_claim(staff=staff, date=form.cleaned_data["date"], user=request.user)
            except services.RestError as error:
                add_service_error(form, error)
            else:
                if claim.status == RestClaim.Status.APPROVED:
                    messages.success(request, _("Your rest day is approved; the cover is arranged."))
                else:
                    messages.info(
                        request, _("Not every duty that day can be covered: the administrator decides.")
                    )
                return redirect("rest:mine", staff.pk)
        status = 400
    policy = selectors.policy_for(staff.school)
    day = today()
    context = {
        "staff": staff,
        "school": staff.school,
        "own": own,
        "policy": policy,
        "form": form,
        "balance": selectors.balance_on(staff, day, policy),
        "year_end": selectors.school_year_end(policy, day),
        "credits": selectors.credits_by_term(staff, policy),
        "duties": selectors.duties_of(staff)[:50],
        "claims": selectors.claims_of(staff),
        "today": day,
    }
    return render(request, "rest/mine.html", context, status=status)


@login_required
@require_POST
def cancel(request, claim_id: int):
    claim = get_object_or_404(RestClaim.objects.select_related("staff"), pk=claim_id)
    staff = staff_for_user_or_404(request.user, claim.staff_id)
    try:
        services.rest_claim_cancel(claim=claim, user=request.user)
    except services.RestError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The rest day is cancelled; the credit is back."))
    if _is_own(request.user, staff):
        return redirect("rest:mine", staff.pk)
    return redirect("rest:school", staff.school_id)


@login_required
def school(request, school_id: int):
    school = school_for_user_or_404(request.user, school_id)
    policy = selectors.policy_for(school)
    form = PolicyForm(instance=policy)
    status = 200
    if request.method == "POST":
        form = PolicyForm(request.POST, instance=policy)
        if form.is_valid():
            try:
                services.rest_policy_update(school=school, user=request.user, **form.cleaned_data)
            except services.RestError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The rest policy is saved."))
                return redirect("rest:school", school.pk)
        status = 400
    context = {
        "school": school,
        "form": form,
        "pending": selectors.pending_claims(school),
        "recent": selectors.recent_claims(school),
        "decision_form": DecisionForm(),
    }
    return render(request, "rest/school.html", context, status=status)


@login_required
@require_POST
def decide(request, claim_id: int):
    claim = get_object_or_404(RestClaim.objects.select_related("staff"), pk=claim_id)
    school = school_for_user_or_404(request.user, claim.staff.school_id)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    approve = request.POST.get("decision") == "approve"
    try:
        services.rest_claim_decide(claim=claim, user=request.user, approve=approve, note=note)
    except services.RestError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The claim is approved.") if approve else _("The claim is refused."))
    return redirect("rest:school", school.pk)
